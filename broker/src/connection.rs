//! One client connection: frames in, responses out, strictly in request order.
//!
//! The connection reads ahead (pipelining) up to `in_flight_requests_max` decoded requests and
//! handles them one at a time in arrival order, writing each response as it is ready, so
//! responses follow request order and side effects happen in the order sent (Kafka's guarantee
//! per connection). A frame larger than `socket.request.max.bytes`, an API key no handler serves, a
//! version outside a handler's range (except ApiVersions, which gets the KIP-511 fallback) or a
//! malformed body closes the connection, as Kafka does. A connection with nothing in flight and
//! no bytes read for `connections.max.idle.ms` is closed. On shutdown it stops reading, finishes
//! and answers what is in flight, then closes.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::{ApiKey, ApiVersionsResponse};
use kafka_protocol::ResponseError;
use strata_protocol::frame::{frame_body_len, FrameError, FRAME_PREFIX_BYTES};
use strata_protocol::header::{
    decode_request_header, encode_api_versions_v0, encode_response, EncodeError, HeaderError,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::Instant;
use tracing::instrument::Instrumented;
use tracing::Instrument;

use crate::context::BrokerContext;
use crate::errors::HandlerError;
use crate::limits::{
    ConnectionLimits, READ_AHEAD_BYTES_MAX, READ_BUFFER_BYTES_INITIAL,
    READ_BUFFER_BYTES_RETAINED_MAX,
};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext, Route, Router};

/// Why a connection was closed by the broker. Every variant ends the connection.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConnectionError {
    /// Reading or writing the socket failed.
    #[error("socket error: {0}")]
    Io(#[from] std::io::Error),
    /// The size prefix was negative or above `socket.request.max.bytes`.
    #[error("refused frame: {0}")]
    Frame(#[from] FrameError),
    /// The request header could not be decoded (includes unknown API keys).
    #[error("bad request header: {0}")]
    Header(#[from] HeaderError),
    /// A known API key that no handler of this broker serves.
    #[error("no handler for {api_key:?} (correlation id {correlation_id})")]
    UnhandledApi {
        /// The key sent.
        api_key: ApiKey,
        /// The correlation id sent.
        correlation_id: i32,
    },
    /// A version outside the handler's range (not ApiVersions).
    #[error("unsupported version {api_version} of {api_key:?} (correlation id {correlation_id})")]
    UnsupportedVersion {
        /// The key sent.
        api_key: ApiKey,
        /// The version sent.
        api_version: i16,
        /// The correlation id sent.
        correlation_id: i32,
    },
    /// The handler failed without a response (malformed body or internal error).
    #[error(transparent)]
    Handler(#[from] HandlerError),
    /// The response could not be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// Nothing was read and nothing was in flight for `connections.max.idle.ms`.
    #[error("idle for {idle_ms} ms")]
    Idle {
        /// The configured idle limit.
        idle_ms: u128,
    },
}

/// A decoded request waiting for its turn, or an answer known without a handler.
enum Queued {
    /// Runs when every earlier request of the connection has finished.
    Call(Call),
    /// Answered without a handler (KIP-511 fallback): the encoded frame.
    Ready(BytesMut),
}

impl Queued {
    fn body_len(&self) -> usize {
        match self {
            Queued::Call(call) => call.body.len(),
            Queued::Ready(_) => 0,
        }
    }
}

/// A request routed to a handler, not started yet.
struct Call {
    spec: HandlerSpec,
    request: RequestContext,
    body: Bytes,
}

/// The one request of the connection whose handler is running.
struct Running {
    future: Instrumented<HandlerFuture>,
    correlation_id: i32,
    api_key: ApiKey,
    api_version: i16,
}

impl Call {
    fn start(self, context: &Arc<BrokerContext>) -> Running {
        let request = self.request;
        let span = tracing::debug_span!(
            "request",
            api = ?request.api_key,
            version = request.api_version,
            correlation_id = request.correlation_id,
            peer = %request.peer,
        );
        let (correlation_id, api_key, api_version) =
            (request.correlation_id, request.api_key, request.api_version);
        let future = (self.spec.handle)(Arc::clone(context), request, self.body).instrument(span);
        Running {
            future,
            correlation_id,
            api_key,
            api_version,
        }
    }
}

/// What every connection of one listener shares.
pub(crate) struct ConnectionShared {
    /// Broker state handed to handlers.
    pub(crate) context: Arc<BrokerContext>,
    /// Dispatch table.
    pub(crate) router: &'static Router,
    /// Listener name for `RequestContext::listener`.
    pub(crate) listener: String,
    /// Limits of every connection.
    pub(crate) limits: ConnectionLimits,
}

/// Serves one connection until the peer closes it, a protocol error closes it, it idles out, or
/// shutdown is signalled (then requests already read are answered first).
///
/// Requests of one connection are handled one after the other, in arrival order, as Kafka does
/// (a producer's pipelined batches for one partition must be appended in the order sent); the
/// connection keeps reading ahead meanwhile, and connections run in parallel.
pub(crate) async fn serve_connection(
    mut stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<ConnectionShared>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), ConnectionError> {
    let limits = shared.limits;
    let mut read_buf = BytesMut::with_capacity(READ_BUFFER_BYTES_INITIAL);
    let mut queued: VecDeque<Queued> = VecDeque::with_capacity(limits.in_flight_requests_max);
    let mut running: Option<Running> = None;
    let mut responses: Vec<BytesMut> = Vec::new();
    let mut reading = !*shutdown.borrow();
    // A closing error is reported once earlier requests have been answered.
    let mut closing_error: Option<ConnectionError> = None;
    let mut last_activity = Instant::now(); // last read or write: the idle clock
                                            // Bytes of request bodies read ahead and not started yet (bounded by READ_AHEAD_BYTES_MAX).
    let mut queued_bytes: usize = 0;

    loop {
        // Decode every complete frame already buffered, up to the in-flight limit.
        while reading
            && queued.len() + usize::from(running.is_some()) < limits.in_flight_requests_max
            && queued_bytes < READ_AHEAD_BYTES_MAX
        {
            match split_frame(&mut read_buf, limits.request_bytes_max) {
                Ok(Some(frame)) => match dispatch(frame, peer, &shared) {
                    Ok(next) => {
                        queued_bytes += next.body_len();
                        queued.push_back(next);
                    }
                    Err(error) => {
                        reading = false;
                        closing_error = Some(error);
                    }
                },
                Ok(None) => break,
                Err(error) => {
                    reading = false;
                    closing_error = Some(error.into());
                }
            }
        }
        // Start the next request once the previous one finished; answer ready ones on the way.
        while running.is_none() {
            match queued.pop_front() {
                Some(Queued::Ready(frame)) => responses.push(frame),
                Some(Queued::Call(call)) => {
                    queued_bytes -= call.body.len();
                    running = Some(call.start(&shared.context));
                }
                None => break,
            }
        }
        if !responses.is_empty() {
            write_responses(&mut stream, &mut responses).await?;
            last_activity = Instant::now();
        }
        if running.is_none() && queued.is_empty() && !reading {
            return closing_error.map_or(Ok(()), Err);
        }
        let can_read = reading
            && queued.len() + usize::from(running.is_some()) < limits.in_flight_requests_max
            && queued_bytes < READ_AHEAD_BYTES_MAX;
        if can_read {
            reserve_for_next_frame(&mut read_buf);
        }
        let idle = running.is_none() && queued.is_empty() && reading;
        tokio::select! {
            outcome = finish(&mut running) => {
                let done = running.take().expect("a finished request was running");
                match outcome {
                    Ok(Some(body)) => responses.push(encode_response(done.correlation_id, done.api_key, done.api_version, &body)?),
                    Ok(None) => {}
                    Err(error) => {
                        write_responses(&mut stream, &mut responses).await?;
                        return Err(error.into());
                    }
                }
            }
            read = stream.read_buf(&mut read_buf), if can_read => {
                if read? == 0 {
                    // The peer closed its side: answer what was read (it may still read), then stop.
                    reading = false;
                }
                last_activity = Instant::now();
            }
            _ = tokio::time::sleep_until(last_activity + limits.idle_timeout), if idle => {
                return Err(ConnectionError::Idle { idle_ms: limits.idle_timeout.as_millis() });
            }
            _ = shutdown.changed(), if reading => {
                reading = false;
            }
        }
        if read_buf.is_empty() && read_buf.capacity() > READ_BUFFER_BYTES_RETAINED_MAX {
            read_buf = BytesMut::with_capacity(READ_BUFFER_BYTES_INITIAL);
        }
    }
}

/// Completes the running handler; never resolves when nothing runs.
async fn finish(
    running: &mut Option<Running>,
) -> Result<Option<kafka_protocol::messages::ResponseKind>, HandlerError> {
    match running {
        Some(request) => (&mut request.future).await,
        None => std::future::pending().await,
    }
}

/// Writes the gathered responses: small ones coalesced into one buffer, large ones as they are.
async fn write_responses(
    stream: &mut TcpStream,
    responses: &mut Vec<BytesMut>,
) -> std::io::Result<()> {
    const COALESCE_BYTES_MAX: usize = 64 * 1024;
    match responses.len() {
        0 => {}
        1 => stream.write_all(&responses[0]).await?,
        _ => {
            let total: usize = responses.iter().map(BytesMut::len).sum();
            if total <= COALESCE_BYTES_MAX {
                let mut joined = BytesMut::with_capacity(total);
                for response in responses.iter() {
                    joined.extend_from_slice(response);
                }
                stream.write_all(&joined).await?;
            } else {
                for response in responses.iter() {
                    stream.write_all(response).await?;
                }
            }
        }
    }
    responses.clear();
    Ok(())
}

/// Makes room for the rest of a partially read frame (or a fresh read) without growing twice.
fn reserve_for_next_frame(read_buf: &mut BytesMut) {
    let wanted = if read_buf.len() >= FRAME_PREFIX_BYTES {
        let size = i32::from_be_bytes([read_buf[0], read_buf[1], read_buf[2], read_buf[3]]).max(0)
            as usize;
        (FRAME_PREFIX_BYTES + size)
            .saturating_sub(read_buf.len())
            .max(4096)
    } else {
        READ_BUFFER_BYTES_INITIAL / 2
    };
    if read_buf.capacity() - read_buf.len() < wanted {
        read_buf.reserve(wanted);
    }
}

/// Splits one complete frame body (without its prefix) off the front of `read_buf`, if buffered.
/// The size prefix is checked as soon as it is read, so an oversized frame is refused before
/// its body arrives.
pub(crate) fn split_frame(
    read_buf: &mut BytesMut,
    request_bytes_max: usize,
) -> Result<Option<Bytes>, FrameError> {
    if read_buf.len() < FRAME_PREFIX_BYTES {
        return Ok(None);
    }
    let prefix = [read_buf[0], read_buf[1], read_buf[2], read_buf[3]];
    let body_len = frame_body_len(prefix, request_bytes_max)?;
    if read_buf.len() < FRAME_PREFIX_BYTES + body_len {
        return Ok(None);
    }
    let mut frame = read_buf.split_to(FRAME_PREFIX_BYTES + body_len);
    let _prefix = frame.split_to(FRAME_PREFIX_BYTES);
    Ok(Some(frame.freeze()))
}

/// Decodes the header and starts the request; errors close the connection.
fn dispatch(
    mut frame: Bytes,
    peer: SocketAddr,
    shared: &Arc<ConnectionShared>,
) -> Result<Queued, ConnectionError> {
    let decoded = decode_request_header(&mut frame)?;
    let api_key = decoded.api_key;
    let api_version = decoded.header.request_api_version;
    let correlation_id = decoded.header.correlation_id;
    match shared.router.route(api_key, api_version) {
        Route::Handler(spec) => {
            let request = RequestContext {
                api_key,
                api_version,
                correlation_id,
                client_id: decoded.header.client_id.map(|id| id.to_string()),
                peer,
                listener: shared.listener.clone(),
            };
            Ok(Queued::Call(Call {
                spec,
                request,
                body: frame,
            }))
        }
        Route::UnsupportedVersion if api_key == ApiKey::ApiVersions => {
            // KIP-511: answer in v0 so any client can read which versions we do support.
            let response = ApiVersionsResponse::default()
                .with_error_code(ResponseError::UnsupportedVersion.code())
                .with_api_keys(shared.router.advertised());
            Ok(Queued::Ready(encode_api_versions_v0(
                correlation_id,
                &response,
            )?))
        }
        Route::UnsupportedVersion => Err(ConnectionError::UnsupportedVersion {
            api_key,
            api_version,
            correlation_id,
        }),
        Route::UnknownApi => Err(ConnectionError::UnhandledApi {
            api_key,
            correlation_id,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_frame_waits_for_the_whole_body_and_refuses_oversized_prefixes() {
        let mut buf = BytesMut::new();
        buf.extend_from_slice(&5i32.to_be_bytes());
        buf.extend_from_slice(b"abc");
        assert_eq!(split_frame(&mut buf, 100).expect("fits"), None);
        buf.extend_from_slice(b"de");
        buf.extend_from_slice(&1i32.to_be_bytes());
        assert_eq!(
            split_frame(&mut buf, 100).expect("fits").as_deref(),
            Some(&b"abcde"[..])
        );
        assert_eq!(buf.len(), 4);
        let mut big = BytesMut::from(&101i32.to_be_bytes()[..]);
        assert!(matches!(
            split_frame(&mut big, 100),
            Err(FrameError::TooLarge {
                size: 101,
                max: 100
            })
        ));
    }
}
