//! Microphone capture through cpal (ALSA, which reaches PulseAudio through its plugin).
//! The audio callback only converts to mono i16 and hands blocks to a channel; the
//! encoder and the vault run on the receiving side.

use crate::encode::SAMPLE_RATE;
use crate::error::{Error, Result};
use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{BufferSize, SampleFormat, StreamConfig, SupportedBufferSize};
use std::sync::mpsc::SyncSender;

/// An input device as `kua devices` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputDevice {
    pub name: String,
    pub default: bool,
}

pub fn input_devices() -> Result<Vec<InputDevice>> {
    let host = cpal::default_host();
    let default = host.default_input_device().and_then(|d| d.name().ok());
    let devices = host
        .input_devices()
        .map_err(|e| Error::Device(e.to_string()))?;
    Ok(devices
        .filter_map(|d| d.name().ok())
        .map(|name| InputDevice {
            default: Some(&name) == default.as_ref(),
            name,
        })
        .collect())
}

/// A running capture; dropping it stops the microphone.
pub struct Capture {
    stream: cpal::Stream,
    /// The device's sample rate; blocks are resampled to 48 kHz before they are sent.
    pub device_rate: u32,
}

impl std::fmt::Debug for Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Capture")
            .field("device_rate", &self.device_rate)
            .finish_non_exhaustive()
    }
}

/// Linear resampling to 48 kHz, carried across blocks.
struct Resampler {
    step: f64,
    pos: f64,
    last: f64,
}

impl Resampler {
    fn new(from: u32) -> Self {
        Resampler {
            step: f64::from(from) / f64::from(SAMPLE_RATE),
            pos: 0.0,
            last: 0.0,
        }
    }

    fn run(&mut self, input: &[f32], out: &mut Vec<i16>) {
        // `pos` is the next output instant, in input samples from the start of `input`
        // (negative values interpolate from the previous block's last sample).
        while self.pos < input.len() as f64 - 1.0 {
            let i = self.pos.floor();
            let frac = self.pos - i;
            let a = if i < 0.0 {
                self.last
            } else {
                f64::from(input[i as usize])
            };
            let b = f64::from(input[(i + 1.0).max(0.0) as usize]);
            let v = (a + (b - a) * frac).clamp(-1.0, 1.0);
            out.push((v * f64::from(i16::MAX)) as i16);
            self.pos += self.step;
        }
        self.pos -= input.len() as f64;
        if let Some(&l) = input.last() {
            self.last = f64::from(l);
        }
    }
}

impl Capture {
    /// Starts capturing from the named device (or the default one) and sends mono
    /// 48 kHz blocks to `sink`. A full channel drops the block rather than block the
    /// audio thread; the receiver drains it every few milliseconds.
    pub fn start(device: Option<&str>, sink: SyncSender<Vec<i16>>) -> Result<Capture> {
        let host = cpal::default_host();
        let device = match device {
            Some(name) => host
                .input_devices()
                .map_err(|e| Error::Device(e.to_string()))?
                .find(|d| d.name().is_ok_and(|n| n == name))
                .ok_or_else(|| Error::NoSuchDevice(name.to_string()))?,
            None => host.default_input_device().ok_or(Error::NoDevice)?,
        };
        let supported = device
            .default_input_config()
            .map_err(|e| Error::Device(e.to_string()))?;
        let format = supported.sample_format();
        let sizes = *supported.buffer_size();
        let base: StreamConfig = supported.into();
        let device_rate = base.sample_rate.0;
        // Periods of 100 ms rather than ALSA's default 25 ms: the audio thread and the
        // encoder wake 10 times a second instead of 40 (the capture thread's CPU went
        // from 4.3 % to 0.9 % of a core here; docs/benchmarks.md). A device that
        // refuses the size gets the default.
        let stream = match longer_periods(&base, &sizes) {
            Some(config) => open_stream(&device, &config, format, sink.clone())
                .or_else(|_| open_stream(&device, &base, format, sink))?,
            None => open_stream(&device, &base, format, sink)?,
        };
        stream.play().map_err(|e| Error::Device(e.to_string()))?;
        Ok(Capture {
            stream,
            device_rate,
        })
    }

    /// Pauses or resumes the microphone.
    pub fn set_paused(&self, paused: bool) -> Result<()> {
        if paused {
            self.stream
                .pause()
                .map_err(|e| Error::Device(e.to_string()))
        } else {
            self.stream.play().map_err(|e| Error::Device(e.to_string()))
        }
    }
}

/// A buffer of four 100 ms periods (cpal asks ALSA for a period of a quarter of the
/// buffer), when the device's range allows it.
fn longer_periods(base: &StreamConfig, sizes: &SupportedBufferSize) -> Option<StreamConfig> {
    let want = base.sample_rate.0 * 4 / 10;
    match sizes {
        SupportedBufferSize::Range { min, max } if (*min..=*max).contains(&want) => {
            Some(StreamConfig {
                buffer_size: BufferSize::Fixed(want),
                ..base.clone()
            })
        }
        _ => None,
    }
}

/// Opens the input stream that resamples, downmixes and sends blocks to `sink`.
fn open_stream(
    device: &cpal::Device,
    config: &StreamConfig,
    format: SampleFormat,
    sink: SyncSender<Vec<i16>>,
) -> Result<cpal::Stream> {
    let channels = usize::from(config.channels.max(1));
    let device_rate = config.sample_rate.0;
    let mut resampler = Resampler::new(device_rate);
    let mut deliver = move |mono: &[f32]| {
        let mut out = Vec::with_capacity(mono.len() * 48_000 / device_rate.max(1) as usize + 2);
        resampler.run(mono, &mut out);
        let _ = sink.try_send(out);
    };
    let on_error = |e: cpal::StreamError| eprintln!("kua: microphone: {e}");
    match format {
        SampleFormat::F32 => device.build_input_stream(
            config,
            move |data: &[f32], _| deliver(&downmix(data, channels, |x| x)),
            on_error,
            None,
        ),
        SampleFormat::I16 => device.build_input_stream(
            config,
            move |data: &[i16], _| deliver(&downmix(data, channels, |x| f32::from(x) / 32_768.0)),
            on_error,
            None,
        ),
        SampleFormat::U16 => device.build_input_stream(
            config,
            move |data: &[u16], _| {
                deliver(&downmix(data, channels, |x| {
                    (f32::from(x) - 32_768.0) / 32_768.0
                }))
            },
            on_error,
            None,
        ),
        other => {
            return Err(Error::Device(format!(
                "unsupported sample format {other:?}"
            )))
        }
    }
    .map_err(|e| Error::Device(e.to_string()))
}

fn downmix<T: Copy>(data: &[T], channels: usize, f: impl Fn(T) -> f32) -> Vec<f32> {
    data.chunks(channels)
        .map(|frame| frame.iter().map(|&x| f(x)).sum::<f32>() / channels as f32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resampling_keeps_the_frequency_and_the_length() {
        let input: Vec<f32> = crate::sine(440.0, 44_100, 1.0)
            .into_iter()
            .map(|x| f32::from(x) / 32_768.0)
            .collect();
        let mut r = Resampler::new(44_100);
        let mut out = Vec::new();
        for block in input.chunks(441) {
            r.run(block, &mut out);
        }
        assert!((out.len() as i64 - 48_000).abs() < 120, "{}", out.len());
        assert_eq!(crate::dominant_frequency(&out, 48_000), Some(440.0));
    }
}
