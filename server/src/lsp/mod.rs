//! The language server (`dockfix server`). The only module that knows
//! tower-lsp-server and the LSP types. `Backend` is a thin dispatch table: each
//! method calls one handler.

mod convert;
mod framing;
mod handlers;
mod memory;
mod output;
mod state;
mod stdio;

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

pub use convert::Encoding;
use state::State;

/// The server: the client handle and the shared state.
pub struct Backend {
    client: Client,
    state: Arc<State>,
    handoff: Arc<framing::Handoff>,
}

impl Backend {
    fn new(client: Client, publisher: output::Publisher, handoff: Arc<framing::Handoff>) -> Self {
        Backend {
            client,
            state: Arc::new(State::with_publisher(publisher)),
            handoff,
        }
    }

    /// `dockfix/didOpen` and `dockfix/didChange`: a `didOpen` or `didChange`
    /// decoded while framing (`framing::Handoff`), handled as itself.
    async fn handed_over(&self, params: framing::Ticket) {
        match self.handoff.take(params.ticket) {
            Some(framing::Handed::Open(params)) => self.did_open(params).await,
            Some(framing::Handed::Change(params)) => self.did_change(params).await,
            None => {}
        }
    }

    /// `dockfix/documentText`: the server's copy of a document, its version
    /// and whether it rests (`state::rest_idle`), for tests and debugging of
    /// text synchronization.
    async fn document_text(
        &self,
        params: TextDocumentIdentifier,
    ) -> Result<Option<serde_json::Value>> {
        let documents = self.state.documents();
        Ok(documents.get(&params.uri).map(|open| {
            serde_json::json!({
                "version": open.version,
                "text": open.document.text(),
                "resting": open.document.is_resting(),
            })
        }))
    }
}

impl Backend {
    /// `dockfix/invalidMessage`: the stand-in for a frame that is not a
    /// JSON-RPC message (`framing`), answered with the error it deserves.
    async fn invalid_message(&self, params: framing::InvalidMessage) -> Result<()> {
        Err(params.error())
    }
}

/// Runs the server over standard input and output until the client exits.
pub fn run_stdio() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    let streams = stdio::input().and_then(|input| Ok((input, stdio::output()?)));
    let (input, (output, written)) = match streams {
        Ok(streams) => streams,
        Err(error) => {
            eprintln!("error: cannot start the standard input and output threads: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    runtime.block_on(serve(input, output));
    // Dropped by `serve`, the output lets its thread end once it has written
    // everything (the answer to `shutdown` among it).
    written.wait();
    // The input thread may still be blocked in a read of standard input; it
    // ends with the process.
    runtime.shutdown_background();
    std::process::ExitCode::SUCCESS
}

/// Serves the protocol over any byte streams (stdio, or in-memory pipes in tests)
/// until the client exits.
pub async fn serve(input: impl tokio::io::AsyncRead + Unpin, output: impl tokio::io::AsyncWrite) {
    let (publisher, tower_output, chunks) = output::channel();
    let handoff = Arc::new(framing::Handoff::default());
    let (service, socket) = LspService::build({
        let publisher = publisher.clone();
        let handoff = Arc::clone(&handoff);
        move |client| Backend::new(client, publisher.clone(), Arc::clone(&handoff))
    })
    .custom_method("dockfix/documentText", Backend::document_text)
    .custom_method(framing::DID_OPEN, Backend::handed_over)
    .custom_method(framing::DID_CHANGE, Backend::handed_over)
    .custom_method(framing::INVALID_MESSAGE, Backend::invalid_message)
    .finish();
    // tower-lsp-server stops reading at the first frame it cannot decode, so
    // the input is re-framed first (`framing`).
    // Whole frames through a channel: one hand-over per message (a pipe of
    // 64 KB took several for a large didChange).
    let (frames, reframed) = stdio::chunks();
    let session = async {
        let server = Server::new(reframed, tower_output, socket).serve(service);
        tokio::pin!(server);
        tokio::select! {
            () = &mut server => {}
            // The input ended: the server reads the end of the pipe and stops.
            () = framing::reframe(input, frames, &handoff) => server.await,
        }
        publisher.end();
    };
    tokio::join!(session, output::write(chunks, output));
}

/// Runs engine work so that a panic becomes an error response instead of
/// taking the server down.
fn guarded<T>(work: impl FnOnce() -> T) -> Result<T> {
    std::panic::catch_unwind(AssertUnwindSafe(work)).map_err(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        let mut error = Error::internal_error();
        error.message = format!("internal error in dockfix: {message}").into();
        error
    })
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let (result, error) = handlers::initialize::initialize(&self.state, params);
        if let Some(message) = error {
            self.client
                .show_message(MessageType::ERROR, format!("dockfix: {message}"))
                .await;
        }
        Ok(result)
    }

    async fn initialized(&self, _: InitializedParams) {
        // The first analysis pays for one-time setup (the knowledge base,
        // patterns, lookup tables): about 2 ms of a 5,000-line file's first
        // diagnostics, paid here instead, while the client opens documents.
        tokio::task::spawn_blocking(|| {
            let _ = guarded(|| crate::analyze(handlers::initialize::WARM_UP));
        });
        handlers::configuration::watch_config_files(&self.state, &self.client).await;
        if self.state.support().configuration {
            handlers::configuration::refresh(&self.state, &self.client).await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        // tower-lsp-server drops every notification after `shutdown`, so
        // documents parked for one would never be taken.
        self.handoff.close();
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        // The edit is applied before any `.await`, so edits keep their order.
        let (uri, error) = handlers::sync::did_open(&self.state, params);
        handlers::diagnostics::schedule(&self.state, uri);
        handlers::configuration::report_config_error(&self.state, &self.client, error).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        if let Some(uri) = handlers::sync::did_change(&self.state, params) {
            handlers::diagnostics::schedule(&self.state, uri);
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        handlers::sync::did_close(&self.state, &params);
        let uri = params.text_document.uri;
        let cleared = handlers::diagnostics::publish_message(
            &uri,
            None,
            &[],
            &ropey::Rope::new(),
            self.state.encoding(),
        );
        self.state.publisher.send(&cleared);
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        handlers::configuration::did_change(&self.state, &self.client, params).await;
    }

    async fn did_change_watched_files(&self, _: DidChangeWatchedFilesParams) {
        // A `.dockfix.toml` or an ignore file changed: every document's
        // options may have.
        handlers::configuration::reanalyse_all(&self.state, &self.client).await;
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        guarded(|| handlers::diagnostics::pull(&self.state, &params))?
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        guarded(|| handlers::code_action::code_action(&self.state, &params))
    }

    async fn code_action_resolve(&self, params: CodeAction) -> Result<CodeAction> {
        handlers::code_action::resolve(&self.state, params).await
    }

    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        handlers::command::execute(&self.state, &self.client, params).await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        guarded(|| handlers::symbols::document_symbol(&self.state, &params))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        guarded(|| handlers::folding::folding_range(&self.state, &params))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        guarded(|| handlers::hover::hover(&self.state, &params))
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        guarded(|| handlers::semantic_tokens::full(&self.state, &params))
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        guarded(|| handlers::semantic_tokens::range(&self.state, &params))
    }
}
