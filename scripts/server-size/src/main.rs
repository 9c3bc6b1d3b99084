//! What a loopback HTTP server would cost the native addon: built with and without `--features
//! server` on the addon's own hyper, hyper-util and tokio, in its release profile, the two
//! stripped binaries differ by what the server adds (scripts/bench-server.js --size prints both).
//! Not part of the addon; never shipped.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};

async fn client(port: u16) -> usize {
    let c =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http::<Full<Bytes>>();
    let res = c.get(format!("http://127.0.0.1:{port}/").parse().unwrap()).await.unwrap();
    res.into_body().collect().await.unwrap().to_bytes().len()
}

#[cfg(feature = "server")]
async fn serve(token: String) -> u16 {
    use hyper::{Request, Response, StatusCode};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let token = token.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                    let ok =
                        req.headers().get("authorization").map(|v| v.as_bytes() == token.as_bytes()).unwrap_or(false);
                    async move {
                        let (status, body) = if ok {
                            (StatusCode::OK, "{\"AccessKeyId\":\"x\"}")
                        } else {
                            (StatusCode::FORBIDDEN, "{}")
                        };
                        Ok::<_, std::convert::Infallible>(
                            Response::builder()
                                .status(status)
                                .header("content-type", "application/json")
                                .body(Full::new(Bytes::from(body)))
                                .unwrap(),
                        )
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    port
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        #[cfg(feature = "server")]
        let port = serve(std::env::args().nth(1).unwrap_or_default()).await;
        #[cfg(not(feature = "server"))]
        let port: u16 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1);
        println!("{}", client(port).await);
    });
}
