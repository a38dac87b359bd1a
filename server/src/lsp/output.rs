//! The server's output stream, shared by tower-lsp-server and the
//! diagnostics publisher.
//!
//! Diagnostics are serialized straight into a frame ([`Publisher`]): through
//! tower-lsp-server's `Client`, each `ls_types::Diagnostic` became a
//! `serde_json::Value` tree before its text, which cost more than the rest
//! of a comment edit together (about 2 ms of 271 diagnostics on a
//! 5,000-line file). tower-lsp-server writes its own messages through
//! [`TowerWriter`]; one task writes both streams to the output, whole frames
//! only, each in the order it was completed.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

pub enum Chunk {
    /// Bytes of tower-lsp-server's stream (frames, possibly cut anywhere).
    Tower(Vec<u8>),
    /// One whole frame of ours.
    Frame(Vec<u8>),
    /// Write what came before and stop.
    End,
}

/// Sends our frames to the output.
#[derive(Clone)]
pub struct Publisher {
    sender: UnboundedSender<Chunk>,
}

impl Publisher {
    /// Sends a JSON-RPC message (its body), framed.
    pub fn send(&self, body: &[u8]) {
        // The writer is gone only when the server has stopped.
        let _ = self
            .sender
            .send(Chunk::Frame(crate::lsp::framing::frame(body)));
    }

    /// Makes the writer return once everything sent before is written.
    pub fn end(&self) {
        let _ = self.sender.send(Chunk::End);
    }
}

/// tower-lsp-server's output: every write is accepted whole and queued.
pub struct TowerWriter {
    sender: UnboundedSender<Chunk>,
}

impl AsyncWrite for TowerWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(match self.sender.send(Chunk::Tower(buf.to_vec())) {
            Ok(()) => Ok(buf.len()),
            Err(_) => Err(io::ErrorKind::BrokenPipe.into()),
        })
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

pub fn channel() -> (Publisher, TowerWriter, UnboundedReceiver<Chunk>) {
    let (sender, receiver) = unbounded_channel();
    (
        Publisher {
            sender: sender.clone(),
        },
        TowerWriter { sender },
        receiver,
    )
}

/// Writes the chunks to `output` until [`Chunk::End`], until every sender is
/// gone, or until the output fails.
pub async fn write(mut chunks: UnboundedReceiver<Chunk>, output: impl AsyncWrite) {
    tokio::pin!(output);
    let mut interleaver = Interleaver::default();
    while let Some(chunk) = chunks.recv().await {
        let mut out = Vec::new();
        let mut ended = interleaver.push(chunk, &mut out);
        // Whatever else is ready goes out in the same write.
        while !ended {
            match chunks.try_recv() {
                Ok(chunk) => ended = interleaver.push(chunk, &mut out),
                Err(_) => break,
            }
        }
        if output.write_all(&out).await.is_err() || output.flush().await.is_err() || ended {
            return;
        }
    }
}

/// Orders the two streams: our frames go out between tower-lsp-server's
/// frames, never inside one.
#[derive(Default)]
struct Interleaver {
    /// tower-lsp-server's bytes not yet known to end a frame.
    partial: Vec<u8>,
    /// Our frames that arrived while `partial` was not empty.
    held: VecDeque<Vec<u8>>,
}

impl Interleaver {
    /// Appends what can be written now to `out`; true at [`Chunk::End`].
    fn push(&mut self, chunk: Chunk, out: &mut Vec<u8>) -> bool {
        match chunk {
            Chunk::Tower(bytes) => {
                self.partial.extend_from_slice(&bytes);
                while let Some(length) = frame_length(&self.partial) {
                    out.extend_from_slice(&self.partial[..length]);
                    self.partial.drain(..length);
                }
            }
            Chunk::Frame(frame) => self.held.push_back(frame),
            Chunk::End => {
                // tower-lsp-server has stopped: nothing completes `partial`.
                out.append(&mut self.partial);
                self.release_held(out);
                return true;
            }
        }
        if self.partial.is_empty() {
            self.release_held(out);
        }
        false
    }

    /// Appends the held frames whole (a byte-wise `extend` of a 130 KB frame
    /// cost a tenth of a comment edit's time).
    fn release_held(&mut self, out: &mut Vec<u8>) {
        for mut frame in self.held.drain(..) {
            if out.is_empty() {
                *out = std::mem::take(&mut frame);
            } else {
                out.append(&mut frame);
            }
        }
    }
}

/// The length of the whole frame at the start of `bytes`, once all of it is
/// there. A header block without a length (tower-lsp-server never writes
/// one) counts as a frame of its own, so nothing is held back forever.
fn frame_length(bytes: &[u8]) -> Option<usize> {
    let header_end = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let body = bytes[..header_end]
        .split(|&b| b == b'\n')
        .find_map(|line| crate::lsp::framing::content_length(line.trim_ascii()))
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0);
    let total = header_end.checked_add(body)?;
    (bytes.len() >= total).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    #[test]
    fn our_frames_wait_for_the_frame_being_written_to_end() {
        let tower = [frame("{\"id\":1}"), frame("{\"id\":2}")].concat();
        for cut in 0..tower.len() {
            let mut interleaver = Interleaver::default();
            let mut out = Vec::new();
            interleaver.push(Chunk::Tower(tower[..cut].to_vec()), &mut out);
            interleaver.push(Chunk::Frame(frame("{\"ours\":1}")), &mut out);
            interleaver.push(Chunk::Tower(tower[cut..].to_vec()), &mut out);
            let text = String::from_utf8(out).unwrap_or_default();
            let ours = text.find("Content-Length: 10\r\n\r\n{\"ours\":1}");
            assert!(
                ours == Some(0)
                    || ours == Some(frame("{\"id\":1}").len())
                    || ours == Some(tower.len()),
                "cut {cut}: {text:?}"
            );
            assert_eq!(text.len(), tower.len() + frame("{\"ours\":1}").len());
        }
    }

    #[test]
    fn the_end_writes_everything() {
        let mut interleaver = Interleaver::default();
        let mut out = Vec::new();
        interleaver.push(
            Chunk::Tower(b"Content-Length: 5\r\n\r\n{".to_vec()),
            &mut out,
        );
        interleaver.push(Chunk::Frame(frame("{}")), &mut out);
        assert!(out.is_empty());
        assert!(interleaver.push(Chunk::End, &mut out));
        assert_eq!(
            out,
            [b"Content-Length: 5\r\n\r\n{".to_vec(), frame("{}")].concat()
        );
    }
}
