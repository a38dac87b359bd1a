//! The client's byte stream, re-framed before tower-lsp-server reads it.
//!
//! tower-lsp-server decodes frames with tokio-util's `FramedRead`, which ends
//! the stream after the first decoding error: one frame with a body that is
//! not JSON, not UTF-8 or not a JSON-RPC message, or a header it does not
//! accept (a third header, another charset), and the server reads nothing
//! more (found by fuzzing: every later request went unanswered). So the
//! input is read here first, frame by frame, leniently (`Content-Length` in
//! any case, anywhere in a header line; other headers ignored; garbage
//! between frames skipped), and only well-formed messages are passed on. A
//! broken message is replaced by a request of [`INVALID_MESSAGE`] with id
//! `null`, which the server answers with the JSON-RPC error the
//! specification asks for (`-32700` parse error, `-32600` invalid request,
//! id `null`).

use std::borrow::Cow;

use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::sync::mpsc::UnboundedSender;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Request, Response};

/// The method a broken message is replaced with.
pub const INVALID_MESSAGE: &str = "dockfix/invalidMessage";

/// A header line longer than this is garbage; it is skipped in pieces.
const MAX_HEADER_LINE: u64 = 8 * 1024;

/// What tower-lsp-server decodes a frame's body into (its `Message` is private).
#[derive(Deserialize)]
#[serde(untagged)]
#[allow(dead_code)] // Only parsed, to know tower-lsp-server will accept the body.
enum Message {
    Response(Response),
    Request(Request),
}

/// A request or notification as tower-lsp-server's `Request` reads it (the
/// same field types, so whatever this accepts, it accepts), without building
/// the parameters: `Message` is an untagged enum, which buffers the whole
/// body first, and a `didChange` of a 5,000-line file took 0.63 ms to check
/// that way against 0.15 ms this way. Responses and anything unusual take the
/// `Message` path.
#[derive(Deserialize)]
struct RequestShape<'a> {
    #[serde(borrow)]
    jsonrpc: Cow<'a, str>,
    #[serde(default, borrow)]
    #[allow(dead_code)] // Only its type matters.
    method: Cow<'a, str>,
    #[serde(default)]
    #[allow(dead_code)]
    params: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    #[allow(dead_code)]
    id: Option<tower_lsp_server::jsonrpc::Id>,
}

fn is_request(text: &str) -> bool {
    serde_json::from_str::<RequestShape<'_>>(text).is_ok_and(|shape| shape.jsonrpc == "2.0")
}

/// The parameters of an [`INVALID_MESSAGE`] request.
#[derive(Debug, Deserialize, serde::Serialize)]
pub struct InvalidMessage {
    /// `parse` (not JSON or not UTF-8) or `request` (JSON, not a message).
    pub kind: String,
    pub message: String,
}

impl InvalidMessage {
    /// The error the server answers with.
    pub fn error(&self) -> Error {
        let mut error = if self.kind == "parse" {
            Error::parse_error()
        } else {
            Error::new(ErrorCode::InvalidRequest)
        };
        error.message = Cow::Owned(format!("{}: {}", error.message, self.message));
        error
    }
}

/// The body to pass on: the frame itself, or the request that reports it.
fn checked(body: Vec<u8>) -> Vec<u8> {
    let invalid = |kind: &str, message: String| {
        let params = InvalidMessage {
            kind: kind.to_owned(),
            message,
        };
        serde_json::json!({"jsonrpc": "2.0", "id": null, "method": INVALID_MESSAGE, "params": params})
            .to_string()
            .into_bytes()
    };
    let Ok(text) = std::str::from_utf8(&body) else {
        return invalid("parse", "the message is not UTF-8".to_owned());
    };
    if is_request(text) || serde_json::from_str::<Message>(text).is_ok() {
        return body;
    }
    match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Err(error) => invalid("parse", error.to_string()),
        Ok(_) => invalid(
            "request",
            "not a JSON-RPC 2.0 request, notification or response".to_owned(),
        ),
    }
}

/// The `Content-Length` of a header line, if it is one (case-insensitive,
/// after any garbage on the line).
pub(crate) fn content_length(line: &[u8]) -> Option<u64> {
    const NAME: &[u8] = b"content-length:";
    let at = line
        .windows(NAME.len())
        .position(|w| w.eq_ignore_ascii_case(NAME))?;
    let value = std::str::from_utf8(line.get(at + NAME.len()..)?).ok()?;
    value.trim().parse().ok()
}

/// A message body with its `Content-Length` header.
pub(crate) fn frame(body: &[u8]) -> Vec<u8> {
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(body);
    frame
}

/// Sends the frames of `input` to `output`, one whole frame per message (see
/// the module documentation), until `input` ends or `output` is closed;
/// then drops `output`.
pub async fn reframe(input: impl AsyncRead + Unpin, output: UnboundedSender<Vec<u8>>) {
    let mut reader = BufReader::new(input);
    loop {
        // The header block: lines up to an empty one.
        let mut length = None;
        let mut seen_header = false;
        loop {
            let mut line = Vec::new();
            match (&mut reader)
                .take(MAX_HEADER_LINE)
                .read_until(b'\n', &mut line)
                .await
            {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let complete = line.ends_with(b"\n");
            let trimmed = line.trim_ascii();
            if trimmed.is_empty() && complete {
                if seen_header {
                    break;
                }
                // Blank lines between frames.
                continue;
            }
            seen_header = true;
            if let Some(n) = content_length(trimmed) {
                length = Some(n);
            }
        }
        // Without a length there is no body to read: the block was garbage.
        let Some(length) = length else { continue };
        let mut body = Vec::new();
        // `take` grows the buffer as bytes arrive, whatever the header claims.
        match (&mut reader).take(length).read_to_end(&mut body).await {
            Ok(n) if n as u64 == length => {}
            _ => return,
        }
        if body.is_empty() {
            // tower-lsp-server would wait for more input after an empty body.
            continue;
        }
        if output.send(frame(&checked(body))).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_length_anywhere_in_any_case() {
        assert_eq!(content_length(b"Content-Length: 12"), Some(12));
        assert_eq!(content_length(b"content-length:3"), Some(3));
        assert_eq!(content_length(b"}}garbageContent-Length: 7"), Some(7));
        assert_eq!(content_length(b"Content-Type: x"), None);
        assert_eq!(content_length(b"Content-Length: -1"), None);
    }

    /// The fast check never accepts what tower-lsp-server's decoding refuses.
    #[test]
    fn the_request_shape_accepts_no_more_than_the_message_type() {
        for body in [
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
            r#"{"jsonrpc":"2.0","method":"x","id":1,"params":[1,"a",null]}"#,
            r#"{"jsonrpc":"2.0","method":"x","id":null}"#,
            r#"{"jsonrpc":"2.0","method":"x","id":"a","params":null}"#,
            r#"{"jsonrpc":"2\u002e0","method":"x"}"#,
            r#"{"jsonrpc":"2.0"}"#,
            r#"{"jsonrpc":"2.0","method":"x","id":1.5}"#,
            r#"{"jsonrpc":"2.0","method":"x","id":18446744073709551615}"#,
            r#"{"jsonrpc":"2.0","method":"x","id":{}}"#,
            r#"{"jsonrpc":"2.0","method":null}"#,
            r#"{"jsonrpc":"2.0","method":"x","method":"y"}"#,
            r#"{"jsonrpc":"1.0","method":"x"}"#,
            r#"{"jsonrpc":2.0,"method":"x"}"#,
            r#"{"jsonrpc":"2.0","result":1,"id":1}"#,
            r#"{"jsonrpc":"2.0","method":"x","extra":[1]}"#,
        ] {
            if is_request(body) {
                assert!(serde_json::from_str::<Message>(body).is_ok(), "{body}");
            }
        }
        assert!(is_request(
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#
        ));
    }

    #[test]
    fn broken_bodies_become_invalid_message_requests() {
        let ok = br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#.to_vec();
        assert_eq!(checked(ok.clone()), ok);
        for (body, kind) in [
            (b"{".to_vec(), "parse"),
            (vec![0xFF, b'{', b'}'], "parse"),
            (b"[]".to_vec(), "request"),
            (br#"{"jsonrpc":"1.0","method":"x"}"#.to_vec(), "request"),
        ] {
            let out: serde_json::Value = serde_json::from_slice(&checked(body)).unwrap_or_default();
            assert_eq!(out["method"], INVALID_MESSAGE);
            assert_eq!(out["id"], serde_json::Value::Null);
            assert_eq!(out["params"]["kind"], kind);
        }
    }
}
