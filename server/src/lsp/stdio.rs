//! Standard input and output on threads of their own, and the byte stream
//! of whole frames that tower-lsp-server reads. tokio's `Stdin` and
//! `Stdout` hand every read and write to its blocking pool, one thread hop
//! per chunk; a `didChange` of a 5,000-line file is several chunks each way.

use std::io::{self, Read, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// A byte stream made of the chunks sent to a channel; it ends when every
/// sender is gone.
pub struct Chunks {
    chunks: UnboundedReceiver<Vec<u8>>,
    current: Vec<u8>,
    at: usize,
}

pub fn chunks() -> (UnboundedSender<Vec<u8>>, Chunks) {
    let (sender, chunks) = unbounded_channel();
    (
        sender,
        Chunks {
            chunks,
            current: Vec::new(),
            at: 0,
        },
    )
}

/// Standard input, read by a thread in chunks of up to 64 KB. The thread
/// ends at the end of the input, or blocks in a read until the process
/// exits.
pub fn input() -> io::Result<Chunks> {
    let (sender, chunks) = chunks();
    std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || {
            let mut stdin = io::stdin().lock();
            loop {
                let mut chunk = vec![0; 1 << 16];
                match stdin.read(&mut chunk) {
                    Ok(0) => return,
                    Ok(n) => {
                        chunk.truncate(n);
                        if sender.send(chunk).is_err() {
                            return;
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => return,
                }
            }
        })?;
    Ok(chunks)
}

impl AsyncRead for Chunks {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        while self.at >= self.current.len() {
            match self.chunks.poll_recv(cx) {
                Poll::Ready(Some(chunk)) => {
                    self.current = chunk;
                    self.at = 0;
                }
                // The end of the input: nothing read.
                Poll::Ready(None) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
        let n = buf.remaining().min(self.current.len() - self.at);
        let at = self.at;
        buf.put_slice(&self.current[at..at + n]);
        self.at += n;
        Poll::Ready(Ok(()))
    }
}

/// Standard output, written by a thread; [`Output::finish`] waits for it.
pub struct Output {
    sender: Option<std::sync::mpsc::Sender<Vec<u8>>>,
}

/// Waits until everything written to the [`Output`] is out.
pub struct Written(std::thread::JoinHandle<()>);

impl Written {
    pub fn wait(self) {
        let _ = self.0.join();
    }
}

pub fn output() -> io::Result<(Output, Written)> {
    let (sender, receiver) = std::sync::mpsc::channel::<Vec<u8>>();
    let thread = std::thread::Builder::new()
        .name("stdout".into())
        .spawn(move || {
            let mut stdout = io::stdout().lock();
            while let Ok(bytes) = receiver.recv() {
                if stdout
                    .write_all(&bytes)
                    .and_then(|()| stdout.flush())
                    .is_err()
                {
                    return;
                }
            }
        })?;
    Ok((
        Output {
            sender: Some(sender),
        },
        Written(thread),
    ))
}

impl AsyncWrite for Output {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let sent = self
            .sender
            .as_ref()
            .is_some_and(|sender| sender.send(buf.to_vec()).is_ok());
        Poll::Ready(if sent {
            Ok(buf.len())
        } else {
            Err(io::ErrorKind::BrokenPipe.into())
        })
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.sender = None;
        Poll::Ready(Ok(()))
    }
}
