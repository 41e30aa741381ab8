//! The audio crate's errors, each with a stable code for front ends.

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("no microphone named {0:?}; `kua devices` lists the inputs")]
    NoSuchDevice(String),
    #[error("no microphone found; connect one or check the sound settings")]
    NoDevice,
    #[error("the microphone could not be opened: {0}")]
    Device(String),
    #[error("the microphone stopped sending audio (unplugged, or taken by another program); what was recorded until then is kept")]
    DeviceGone,
    #[error("the Opus encoder failed: {0}")]
    Codec(String),
    #[error("not an Ogg Opus stream: {0}")]
    Format(String),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    pub fn code(&self) -> &'static str {
        match self {
            Error::NoSuchDevice(_) => "audio_no_such_device",
            Error::NoDevice => "audio_no_device",
            Error::Device(_) => "audio_device",
            Error::DeviceGone => "audio_device_gone",
            Error::Codec(_) => "audio_codec",
            Error::Format(_) => "audio_format",
            Error::Io(_) => "io",
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

impl From<opus::Error> for Error {
    fn from(e: opus::Error) -> Self {
        Error::Codec(e.to_string())
    }
}
