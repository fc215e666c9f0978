//! The HTTP side: `POST /` with `X-Amz-Target: TrentService.<Operation>` (AWS JSON 1.1), served by
//! hyper's HTTP/1.1 server on a multi-threaded tokio runtime. Each request's body is bounded
//! before it is read, its SigV4 signature checked when `--credentials` is set, and the operation
//! runs on tokio's blocking pool (SQLite and key cryptography), so clients are served
//! concurrently. SIGINT/SIGTERM stop accepting, let requests in flight finish (5 s at most), and
//! exit.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::serve::Server;
use crate::serve::protocol::ApiError;
use crate::serve::sigv4::{self, SignedRequest};

/// The largest request body read. The largest member of a KMS request is CreateKey's `Policy`
/// (128 KiB); blobs are at most 8 KiB (base64: 11 KiB).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

const JSON: &str = "application/x-amz-json-1.1";
const TARGET_PREFIX: &str = "TrentService.";

fn request_id() -> String {
    let mut b = [0u8; 16];
    // A request id is not a secret; a failure leaves zeros.
    let _ = getrandom::fill(&mut b);
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn respond(status: u16, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(JSON),
    );
    if let Ok(id) = hyper::header::HeaderValue::from_str(&request_id()) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

fn error(e: &ApiError) -> Response<Full<Bytes>> {
    respond(e.status, e.body())
}

async fn handle(server: Arc<Server>, request: Request<Incoming>) -> Response<Full<Bytes>> {
    if request.method() != hyper::Method::POST || request.uri().path() != "/" {
        return error(&ApiError::new(
            "UnknownOperationException",
            "this endpoint answers POST / with an X-Amz-Target header (AWS JSON 1.1)",
        ));
    }
    let declared = request
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = ApiError {
        status: 413,
        name: "RequestEntityTooLargeException",
        message: format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
    };
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return error(&too_large);
    }
    let operation = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix(TARGET_PREFIX))
        .map(str::to_owned);
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let query = request.uri().query().unwrap_or("").to_owned();
    let body = match Limited::new(request.into_body(), MAX_BODY_BYTES)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return error(&too_large),
    };
    let Some(operation) = operation else {
        return error(&ApiError::new(
            "UnknownOperationException",
            "the request has no X-Amz-Target: TrentService.<Operation> header",
        ));
    };
    let outcome = tokio::task::spawn_blocking(move || {
        if let Some(credentials) = &server.credentials {
            let signed = SignedRequest {
                method: "POST",
                path: "/",
                query: &query,
                headers: &headers,
                body: &body,
            };
            let now = crate::clock::now(None).as_secs();
            sigv4::verify(credentials, &signed, &server.region, "kms", now)?;
        }
        crate::serve::dispatch(&server, &operation, &body)
            .inspect_err(|e| {
                if e.status >= 500 {
                    eprintln!("{operation}: {}: {}", e.name, e.message);
                }
            })
            .and_then(|value| {
                serde_json::to_vec(&value).map_err(|e| ApiError::internal(e.to_string()))
            })
    })
    .await;
    match outcome {
        Ok(Ok(body)) => respond(200, body),
        Ok(Err(e)) => error(&e),
        Err(_) => error(&ApiError::internal("the operation failed unexpectedly")),
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let notify = Arc::new(tokio::sync::Notify::new());
    let on_int = Arc::clone(&notify);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_int.notify_one();
        }
    });
    if let Ok(mut term) = signal(SignalKind::terminate()) {
        let on_term = Arc::clone(&notify);
        tokio::spawn(async move {
            term.recv().await;
            on_term.notify_one();
        });
    }
    notify.notified().await;
}

/// Sweeps expired material and keys past their deletion date every few seconds.
fn spawn_sweeper(server: &Arc<Server>) {
    let server = Arc::clone(server);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            let s = Arc::clone(&server);
            let swept =
                tokio::task::spawn_blocking(move || crate::serve::ops_keys::sweep(&s)).await;
            if let Ok(Err(e)) = swept {
                eprintln!("sweep: {}: {}", e.name, e.message);
            }
        }
    });
}

/// Accepts connections and serves each on its own task.
async fn accept_loop(listener: TcpListener, server: Arc<Server>, in_flight: Arc<AtomicUsize>) {
    loop {
        let Ok((stream, _peer)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let server = Arc::clone(&server);
        let in_flight = Arc::clone(&in_flight);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let server = Arc::clone(&server);
                let in_flight = Arc::clone(&in_flight);
                async move {
                    in_flight.fetch_add(1, Ordering::SeqCst);
                    let response = handle(server, request).await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    Ok::<_, Infallible>(response)
                }
            });
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Serves until SIGINT/SIGTERM.
pub fn serve(server: Arc<Server>, listen: SocketAddr) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("kms-import-serve")
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let local = listener
            .local_addr()
            .map_err(|e| format!("cannot read the listening address: {e}"))?;
        println!("listening on http://{local}");
        spawn_sweeper(&server);
        let pool_server = Arc::clone(&server);
        tokio::task::spawn_blocking(move || {
            if pool_server.pool.wait_until_full(Duration::from_secs(3600)) {
                eprintln!("wrapping-key pool full");
            }
        });
        let in_flight = Arc::new(AtomicUsize::new(0));
        let accept = tokio::spawn(accept_loop(listener, server, Arc::clone(&in_flight)));
        shutdown_signal().await;
        accept.abort();
        for _ in 0..50 {
            if in_flight.load(Ordering::SeqCst) == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        eprintln!("stopped");
        Ok::<(), String>(())
    })?;
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}
