//! One async connection to the broker: a request goes out, its response comes back, in order.
//!
//! Frames are built and checked with the harness's own encoder/decoder
//! (`strata_tests::raw_client`), so this file only moves bytes over a tokio socket.

use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use bytes::Bytes;
use kafka_protocol::protocol::Request;
use strata_tests::raw_client::{decode_response, encode_request};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Largest response frame accepted; a larger size prefix means a broken stream.
const RESPONSE_FRAME_BYTES_MAX: usize = 64 * 1024 * 1024;

/// How long one request may wait for its response (a classic JoinGroup waits for the whole
/// group, so this is generous).
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(120);

/// A connection with one request in flight at a time. Correlation ids count up from 1.
pub(crate) struct Conn {
    stream: TcpStream,
    next_correlation_id: i32,
}

impl Conn {
    /// Connects to `addr` with TCP_NODELAY, as Kafka clients do.
    pub(crate) async fn connect(addr: &str) -> Result<Self> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true).context("setting TCP_NODELAY")?;
        Ok(Self {
            stream,
            next_correlation_id: 1,
        })
    }

    /// Sends `request` at `version` and waits for its response.
    pub(crate) async fn send<R: Request>(
        &mut self,
        request: &R,
        version: i16,
    ) -> Result<R::Response> {
        let correlation_id = self.next_correlation_id;
        self.next_correlation_id = self.next_correlation_id.wrapping_add(1);
        let frame = encode_request(request, version, correlation_id)?;
        self.stream
            .write_all(&frame)
            .await
            .context("writing request")?;
        let mut body = tokio::time::timeout(RESPONSE_TIMEOUT, self.read_frame())
            .await
            .map_err(|_| anyhow!("no response within {RESPONSE_TIMEOUT:?}"))??;
        decode_response::<R>(&mut body, version, correlation_id)
    }

    async fn read_frame(&mut self) -> Result<Bytes> {
        let mut prefix = [0u8; 4];
        self.stream
            .read_exact(&mut prefix)
            .await
            .context("reading response size")?;
        let size = usize::try_from(i32::from_be_bytes(prefix))
            .map_err(|_| anyhow!("negative response size"))?;
        if size > RESPONSE_FRAME_BYTES_MAX {
            bail!("response size {size} exceeds {RESPONSE_FRAME_BYTES_MAX}");
        }
        let mut body = vec![0u8; size];
        self.stream
            .read_exact(&mut body)
            .await
            .context("reading response body")?;
        Ok(Bytes::from(body))
    }
}
