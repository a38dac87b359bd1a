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
use tower_lsp_server::ls_types::{DidChangeTextDocumentParams, DidOpenTextDocumentParams};

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
/// same field types, so whatever this accepts, it accepts), without the
/// untagged `Message`, which buffers the whole body first. The parameters
/// are read into a `Value`, as tower-lsp-server reads them: skipping them
/// would let through what it refuses (a lone surrogate in a string, nesting
/// deeper than 128), and it would stop reading. Documents, the large
/// messages, do not come this way ([`Handoff`]). Other fields would be
/// skipped unread, so a message with any goes the `Message` way.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestShape<'a> {
    #[serde(borrow)]
    jsonrpc: Cow<'a, str>,
    #[serde(default, borrow)]
    method: Cow<'a, str>,
    #[serde(default)]
    #[allow(dead_code)] // Only read, to know tower-lsp-server will accept it.
    params: Option<serde_json::Value>,
    #[serde(default)]
    #[allow(dead_code)]
    id: Option<tower_lsp_server::jsonrpc::Id>,
}

/// The method of a request or notification tower-lsp-server accepts
/// (`Some(None)` for a response); `None` for what it refuses.
fn accepted(text: &str) -> Option<Option<Cow<'_, str>>> {
    if let Ok(shape) = serde_json::from_str::<RequestShape<'_>>(text) {
        if shape.jsonrpc == "2.0" {
            return Some(Some(shape.method));
        }
    }
    match serde_json::from_str::<Message>(text).ok()? {
        Message::Request(request) => Some(Some(Cow::Owned(request.method().to_owned()))),
        Message::Response(_) => Some(None),
    }
}

/// Methods only this module sends: a client's message with one of them
/// could take another's parked document, so it is passed on as [`REFUSED`],
/// which the server does not know (a request is answered "method not
/// found", a notification ignored).
const RESERVED: [&str; 2] = [DID_OPEN, DID_CHANGE];
const REFUSED: &str = "dockfix/reservedMethod";

/// The message with its method renamed [`REFUSED`]; a message may also be
/// an array of its fields in order (serde reads a struct from either).
fn refused(text: &str) -> Vec<u8> {
    let mut message = serde_json::from_str::<serde_json::Value>(text).unwrap_or_default();
    let method = match &mut message {
        serde_json::Value::Object(fields) => fields.get_mut("method"),
        serde_json::Value::Array(fields) => fields.get_mut(1),
        _ => None,
    };
    match method {
        Some(method) => *method = serde_json::Value::from(REFUSED),
        // Not a message `accepted` passes; never passed on as it is.
        None => message = serde_json::Value::Null,
    }
    message.to_string().into_bytes()
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

/// The methods that stand for a `didOpen` or `didChange` decoded here
/// (their parameters are a [`Ticket`] for the [`Handoff`]).
pub const DID_OPEN: &str = "dockfix/didOpen";
pub const DID_CHANGE: &str = "dockfix/didChange";

/// A decoded `didOpen` or `didChange`.
pub enum Handed {
    Open(DidOpenTextDocumentParams),
    Change(DidChangeTextDocumentParams),
}

/// The parameters of [`DID_OPEN`] and [`DID_CHANGE`].
#[derive(Debug, Deserialize, serde::Serialize)]
pub struct Ticket {
    pub ticket: u64,
}

/// Documents decoded while framing, waiting for their handler.
///
/// `didOpen` and `didChange` carry whole documents (some clients send the
/// full text on every keystroke). Checking such a frame here and decoding it
/// again in tower-lsp-server read 156 KB of JSON twice per edit of a
/// 5,000-line file; instead the frame is decoded once, here, into its
/// parameters, and tower-lsp-server reads a small notification with a
/// ticket in its place, which keeps the message's place in the order.
#[derive(Default)]
pub struct Handoff {
    next: std::sync::atomic::AtomicU64,
    /// Set at `shutdown`: tower-lsp-server drops every later notification.
    closed: std::sync::atomic::AtomicBool,
    parked: std::sync::Mutex<std::collections::BTreeMap<u64, Handed>>,
}

impl Handoff {
    fn park(&self, handed: Handed) -> u64 {
        let ticket = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if !self.closed.load(std::sync::atomic::Ordering::Relaxed) {
            self.parked().insert(ticket, handed);
        }
        ticket
    }

    /// The parameters of a ticket. Tickets are taken in the order they were
    /// given (the order of the stream, as every notification is handled);
    /// earlier ones still parked were dropped by tower-lsp-server (sent
    /// before `initialize` or after `shutdown`) and are let go.
    pub fn take(&self, ticket: u64) -> Option<Handed> {
        let mut parked = self.parked();
        let later = parked.split_off(&ticket.saturating_add(1));
        let found = parked.remove(&ticket);
        *parked = later;
        found
    }

    /// Lets every parked document go and parks no more: after `shutdown`,
    /// none would be taken.
    pub fn close(&self) {
        self.closed
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.parked().clear();
    }

    fn parked(&self) -> std::sync::MutexGuard<'_, std::collections::BTreeMap<u64, Handed>> {
        // A panic while holding the lock cannot leave the map half-changed.
        self.parked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A notification as tower-lsp-server reads it, with typed parameters.
#[derive(Deserialize)]
struct Notification<'a, P> {
    #[serde(borrow)]
    jsonrpc: Cow<'a, str>,
    #[serde(borrow)]
    method: Cow<'a, str>,
    params: P,
    /// Present, even as `null`, makes the message a request.
    #[serde(default, deserialize_with = "present")]
    id: Option<serde::de::IgnoredAny>,
}

fn present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<serde::de::IgnoredAny>, D::Error> {
    serde::de::IgnoredAny::deserialize(deserializer).map(Some)
}

/// The parameters of a `method` notification in `text`, if it is one that
/// tower-lsp-server would accept and hand to the server.
fn notification<'a, P: Deserialize<'a>>(text: &'a str, method: &str) -> Option<P> {
    let quoted = format!("\"{method}\"");
    memchr::memmem::find(text.as_bytes(), quoted.as_bytes())?;
    let message = serde_json::from_str::<Notification<'a, P>>(text).ok()?;
    (message.jsonrpc == "2.0" && message.method == method && message.id.is_none())
        .then_some(message.params)
}

/// A `didOpen` or `didChange` decoded and parked, as the notification with
/// its ticket.
fn handed_over(text: &str, handoff: &Handoff) -> Option<Vec<u8>> {
    let (method, handed) = if let Some(params) = notification(text, "textDocument/didChange") {
        (DID_CHANGE, Handed::Change(params))
    } else {
        (
            DID_OPEN,
            Handed::Open(notification(text, "textDocument/didOpen")?),
        )
    };
    let ticket = Ticket {
        ticket: handoff.park(handed),
    };
    Some(
        serde_json::json!({"jsonrpc": "2.0", "method": method, "params": ticket})
            .to_string()
            .into_bytes(),
    )
}

/// The body to pass on: the frame itself, a ticket for a document
/// ([`Handoff`]), or the request that reports a broken frame.
fn checked(body: Vec<u8>, handoff: &Handoff) -> Vec<u8> {
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
    if let Some(ticket) = handed_over(text, handoff) {
        return ticket;
    }
    match accepted(text) {
        Some(Some(method)) if RESERVED.contains(&&*method) => refused(text),
        Some(_) => body,
        None => match serde_json::from_str::<serde_json::Value>(text) {
            Err(error) => invalid("parse", error.to_string()),
            Ok(_) => invalid(
                "request",
                "not a JSON-RPC 2.0 request, notification or response".to_owned(),
            ),
        },
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
pub async fn reframe(
    input: impl AsyncRead + Unpin,
    output: UnboundedSender<Vec<u8>>,
    handoff: &Handoff,
) {
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
        if output.send(frame(&checked(body, handoff))).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tower_lsp_server::ls_types::VersionedTextDocumentIdentifier;

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
            if accepted(body).is_some() {
                assert!(serde_json::from_str::<Message>(body).is_ok(), "{body}");
            }
        }
        assert!(accepted(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#).is_some());
    }

    /// A parked document comes back as what tower-lsp-server would have
    /// decoded from the original frame.
    #[test]
    fn documents_are_handed_over_once_decoded() {
        let handoff = Handoff::default();
        let change = serde_json::json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": "file:///w/Dockerfile", "version": 7},
                "contentChanges": [{"text": "FROM a\n# \"textDocument/didOpen\" é\n"}],
            },
        });
        // The text names the other method: the right one is still found.
        let open = serde_json::json!({
            "method": "textDocument/didOpen",
            "params": {"textDocument": {
                "uri": "file:///w/Dockerfile", "languageId": "dockerfile", "version": 1,
                "text": "# \"textDocument/didChange\"\n",
            }},
            "jsonrpc": "2.0",
        });
        for (message, method) in [(&change, DID_CHANGE), (&open, DID_OPEN)] {
            let out: serde_json::Value =
                serde_json::from_slice(&checked(message.to_string().into_bytes(), &handoff))
                    .unwrap_or_default();
            assert_eq!(out["method"], method);
            let ticket = out["params"]["ticket"].as_u64().unwrap_or(u64::MAX);
            let params = message["params"].clone();
            match handoff.take(ticket) {
                Some(Handed::Change(handed)) => assert_eq!(
                    handed,
                    serde_json::from_value::<DidChangeTextDocumentParams>(params).unwrap()
                ),
                Some(Handed::Open(handed)) => assert_eq!(
                    handed,
                    serde_json::from_value::<DidOpenTextDocumentParams>(params).unwrap()
                ),
                None => panic!("ticket {ticket} of {method} not parked"),
            }
            assert!(handoff.take(ticket).is_none());
        }
    }

    /// What is not a notification tower-lsp-server would hand to `didChange`
    /// goes its usual way.
    #[test]
    fn only_well_formed_notifications_are_handed_over() {
        let handoff = Handoff::default();
        for body in [
            r#"{"jsonrpc":"2.0","method":"textDocument/didChange","id":null,"params":{"textDocument":{"uri":"file:///a","version":1},"contentChanges":[]}}"#,
            r#"{"jsonrpc":"2.0","method":"textDocument/didChange","id":3,"params":{"textDocument":{"uri":"file:///a","version":1},"contentChanges":[]}}"#,
            r#"{"jsonrpc":"1.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///a","version":1},"contentChanges":[]}}"#,
            r#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///a"},"contentChanges":[]}}"#,
            r#"{"jsonrpc":"2.0","method":"textDocument/didChange"}"#,
            r#"{"jsonrpc":"2.0","method":"textDocument/hover","params":{"x":"textDocument/didChange"},"id":1}"#,
        ] {
            let out: serde_json::Value =
                serde_json::from_slice(&checked(body.as_bytes().to_vec(), &handoff)).unwrap();
            assert!(out["params"].get("ticket").is_none(), "{body}");
        }
        assert!(handoff.parked().is_empty());
    }

    /// Tickets that tower-lsp-server dropped do not stay parked.
    #[test]
    fn taking_a_ticket_lets_earlier_ones_go() {
        let handoff = Handoff::default();
        let change = |version| {
            Handed::Change(DidChangeTextDocumentParams {
                text_document: VersionedTextDocumentIdentifier {
                    uri: "file:///a".parse().unwrap(),
                    version,
                },
                content_changes: Vec::new(),
            })
        };
        let tickets: Vec<u64> = (0..3).map(|v| handoff.park(change(v))).collect();
        assert!(handoff.take(tickets[1]).is_some());
        assert_eq!(
            handoff.parked().keys().copied().collect::<Vec<_>>(),
            [tickets[2]]
        );
    }

    #[test]
    fn broken_bodies_become_invalid_message_requests() {
        let ok = br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#.to_vec();
        let handoff = Handoff::default();
        assert_eq!(checked(ok.clone(), &handoff), ok);
        for (body, kind) in [
            (b"{".to_vec(), "parse"),
            (vec![0xFF, b'{', b'}'], "parse"),
            (b"[]".to_vec(), "request"),
            (br#"{"jsonrpc":"1.0","method":"x"}"#.to_vec(), "request"),
        ] {
            let out: serde_json::Value =
                serde_json::from_slice(&checked(body, &handoff)).unwrap_or_default();
            assert_eq!(out["method"], INVALID_MESSAGE);
            assert_eq!(out["id"], serde_json::Value::Null);
            assert_eq!(out["params"]["kind"], kind);
        }
    }

    /// What the server would refuse (and then read no more) is never passed
    /// on: every body out of `checked` decodes as tower-lsp-server decodes it.
    #[test]
    fn what_comes_out_is_always_accepted() {
        let handoff = Handoff::default();
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        for body in [
            r#"{"jsonrpc":"2.0","method":"textDocument/hover","id":1,"params":{"x":"\udc00"}}"#.to_owned(),
            r#"{"jsonrpc":"2.0","method":"x","params":["\ud800"]}"#.to_owned(),
            format!(r#"{{"jsonrpc":"2.0","method":"x","id":2,"params":{deep}}}"#),
            format!(r#"{{"jsonrpc":"2.0","method":"textDocument/didChange","params":{{"textDocument":{{"uri":"file:///a","version":1}},"contentChanges":[{{"text":"a"}}],"x":{deep}}}}}"#),
            r#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///a","version":1},"contentChanges":[{"text":"\ud800"}]}}"#.to_owned(),
            r#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a","languageId":"dockerfile","version":1,"text":"FROM \udfff"}}}"#.to_owned(),
            r#"{"jsonrpc":"2.0","id":3,"result":"\udc00"}"#.to_owned(),
        ] {
            let out = checked(body.clone().into_bytes(), &handoff);
            assert!(serde_json::from_slice::<Message>(&out).is_ok(), "{body}");
        }
        // A lone surrogate is a parse error, as the specification has it.
        let out: serde_json::Value = serde_json::from_slice(&checked(
            br#"{"jsonrpc":"2.0","method":"x","id":1,"params":"\udc00"}"#.to_vec(),
            &handoff,
        ))
        .unwrap_or_default();
        assert_eq!(out["method"], INVALID_MESSAGE);
        assert_eq!(out["params"]["kind"], "parse");
    }

    /// A client cannot send the methods that stand for parked documents: it
    /// could take a document before its turn and let earlier ones go.
    #[test]
    fn clients_cannot_send_the_hand_over_methods() {
        let handoff = Handoff::default();
        for body in [
            r#"{"jsonrpc":"2.0","method":"dockfix/didOpen","params":{"ticket":0}}"#,
            r#"{"jsonrpc":"2.0","method":"dockfix\/didChange","params":{"ticket":0},"id":4}"#,
            r#"{"jsonrpc":"2.0","method":"\u0064ockfix/didChange","params":{"ticket":1}}"#,
            // serde reads a struct from an array of its fields too.
            r#"["2.0","dockfix/didOpen",{"ticket":0}]"#,
            r#"["2.0","dockfix\/didChange",{"ticket":3},7]"#,
        ] {
            let out = checked(body.as_bytes().to_vec(), &handoff);
            let out = std::str::from_utf8(&out).unwrap();
            assert_eq!(accepted(out), Some(Some(Cow::Borrowed(REFUSED))), "{body}");
            let out: serde_json::Value = serde_json::from_str(out).unwrap();
            let sent: serde_json::Value = serde_json::from_str(body).unwrap();
            let fields = |m: &serde_json::Value| match m {
                serde_json::Value::Array(a) => (a.get(2).cloned(), a.get(3).cloned()),
                _ => (m.get("params").cloned(), m.get("id").cloned()),
            };
            assert_eq!(fields(&out), fields(&sent), "{body}");
        }
    }

    /// Documents sent after `shutdown` are not parked: nothing would take them.
    #[test]
    fn nothing_is_parked_after_shutdown() {
        let handoff = Handoff::default();
        let change = r#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///a","version":1},"contentChanges":[]}}"#;
        let _ = checked(change.as_bytes().to_vec(), &handoff);
        handoff.close();
        assert!(handoff.parked().is_empty());
        let out: serde_json::Value =
            serde_json::from_slice(&checked(change.as_bytes().to_vec(), &handoff)).unwrap();
        assert_eq!(out["method"], DID_CHANGE);
        assert!(handoff.parked().is_empty());
    }
}
