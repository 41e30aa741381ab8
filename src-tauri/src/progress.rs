//! Progress of long operations, sent to the page over a channel. Updates are thinned to
//! one per 1 % (or per 64 KiB when the size is unknown) so that a 1 GiB attachment does
//! not flood the IPC.

use serde::Serialize;
use tauri::ipc::Channel;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProgressEvent {
    Begin {
        #[ts(type = "number | null")]
        total: Option<u64>,
    },
    Advance {
        #[ts(type = "number")]
        done: u64,
    },
    End,
}

pub struct ChannelProgress {
    channel: Channel<ProgressEvent>,
    total: Option<u64>,
    done: u64,
    reported: u64,
}

impl std::fmt::Debug for ChannelProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelProgress")
            .field("total", &self.total)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl ChannelProgress {
    pub fn new(channel: Channel<ProgressEvent>) -> Self {
        ChannelProgress {
            channel,
            total: None,
            done: 0,
            reported: 0,
        }
    }

    fn send(&self, event: ProgressEvent) {
        // A page that went away (reload on lock) no longer listens; the work goes on.
        let _ = self.channel.send(event);
    }
}

impl kua_core::Progress for ChannelProgress {
    fn begin(&mut self, total: Option<u64>) {
        self.total = total;
        self.done = 0;
        self.reported = 0;
        self.send(ProgressEvent::Begin { total });
    }

    fn advance(&mut self, bytes: u64) {
        self.done = self.done.saturating_add(bytes);
        let step = self.total.map_or(64 * 1024, |t| (t / 100).max(64 * 1024));
        if self.done - self.reported >= step {
            self.reported = self.done;
            self.send(ProgressEvent::Advance { done: self.done });
        }
    }

    fn end(&mut self) {
        self.send(ProgressEvent::End);
    }
}
