//! The app's standard error and standard output are gated: only the shell's own lines
//! (`kua-desktop: …`) reach the real standard error, which a desktop session writes to
//! its journal, on disk. Everything else written to either, by the libraries in this
//! process and by WebKit's processes (which inherit both), is withheld; the shell itself
//! writes nothing to standard output (GLib writes its debug messages there). Why: text a page chooses can reach
//! standard error through code that is not ours (Tauri prints an IPC message's invoke key
//! as it received it when the key is wrong), and a panic message or a library's warning
//! may quote what it was handling. `KUA_STDERR=all` lets everything through, for
//! debugging on a machine with no testimonies.
//!
//! A line repeated (a page sending refused messages in a loop) is passed three times,
//! then counted.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::fd::AsFd;

/// The prefix of the lines that pass.
const OURS: &[u8] = b"kua-desktop: ";
/// A longer line is cut there (what passes is ours, and ours are short).
const MAX_LINE: u64 = 16 * 1024;
/// How many times in a row the same line passes before it is counted instead.
const REPEATS: u32 = 3;

/// Puts the gate on standard error. Call it once, after the process has re-run itself
/// (kua-wipe's C-heap setup), since the gate's thread does not survive an exec.
pub fn gate() -> io::Result<()> {
    if std::env::var_os("KUA_STDERR").is_some_and(|v| v == "all") {
        return Ok(());
    }
    let real = io::stderr().as_fd().try_clone_to_owned()?;
    let (reader, writer) = io::pipe()?;
    rustix::stdio::dup2_stderr(&writer)?;
    rustix::stdio::dup2_stdout(&writer)?;
    drop(writer);
    std::thread::Builder::new()
        .name("stderr-gate".into())
        .spawn(move || forward(reader, std::fs::File::from(real)))?;
    Ok(())
}

/// Copies the lines that pass from `input` to `out` until `input` ends.
fn forward(input: impl Read, mut out: impl Write) {
    let mut input = BufReader::new(input);
    let mut gate = Gate::default();
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut input).take(MAX_LINE).read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                for pass in gate.line(&line) {
                    // Standard error gone: nothing else to tell.
                    let _ = out.write_all(&pass);
                }
            }
        }
    }
}

/// Decides, line by line, what passes.
#[derive(Default)]
struct Gate {
    last: Vec<u8>,
    repeats: u32,
    withheld_told: bool,
}

impl Gate {
    fn line(&mut self, line: &[u8]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        if !line.starts_with(OURS) {
            if !self.withheld_told {
                self.withheld_told = true;
                out.push(
                    b"kua-desktop: what libraries write to standard output and error is withheld, as it may quote what they handled (KUA_STDERR=all shows it)\n"
                        .to_vec(),
                );
            }
            return out;
        }
        let mut line = line.to_vec();
        if !line.ends_with(b"\n") {
            line.push(b'\n');
        }
        if line == self.last {
            self.repeats += 1;
            if self.repeats <= REPEATS {
                out.push(line);
            }
            return out;
        }
        if self.repeats > REPEATS {
            out.push(
                format!(
                    "kua-desktop: (the line before came {} more times)\n",
                    self.repeats - REPEATS
                )
                .into_bytes(),
            );
        }
        self.last = line.clone();
        self.repeats = 1;
        out.push(line);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> String {
        let mut out = Vec::new();
        forward(input, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn only_the_shells_own_lines_pass() {
        let got = run(
            b"kua-desktop: warning: one\n\
              __TAURI_INVOKE_KEY__ expected abc but received \xd0\x9a\xd0\xb0\xd0\xbd\xd0\xb0\xd1\x80\xd0\xb5\xd0\xb9\xd0\xba\xd0\xb0\n\
              thread 'main' panicked at src/x.rs: narrative \"secret\"\n\
              kua-desktop: two\n\
              (WebKitWebProcess:12): GLib-CRITICAL **: something\n",
        );
        assert_eq!(
            got,
            "kua-desktop: warning: one\n\
             kua-desktop: what libraries write to standard output and error is withheld, as it may quote what they handled (KUA_STDERR=all shows it)\n\
             kua-desktop: two\n"
        );
        assert!(!got.contains("Канарейка") && !got.contains("secret"));
    }

    #[test]
    fn a_repeated_line_is_counted_after_three() {
        let mut input = Vec::new();
        for _ in 0..10 {
            input.extend_from_slice(b"kua-desktop: refused\n");
        }
        input.extend_from_slice(b"kua-desktop: other\nkua-desktop: last");
        assert_eq!(
            run(&input),
            "kua-desktop: refused\nkua-desktop: refused\nkua-desktop: refused\n\
             kua-desktop: (the line before came 7 more times)\n\
             kua-desktop: other\nkua-desktop: last\n"
        );
    }

    #[test]
    fn a_line_longer_than_the_cap_is_cut_and_the_rest_withheld() {
        let mut input = b"kua-desktop: ".to_vec();
        input.resize(MAX_LINE as usize + 100, b'x');
        input.push(b'\n');
        let got = run(&input);
        let first = got.lines().next().unwrap();
        assert_eq!(first.len(), MAX_LINE as usize);
        assert_eq!(
            got.lines().count(),
            2,
            "the cut line, and the note that the rest was withheld"
        );
    }
}
