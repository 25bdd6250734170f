//! A router served on an ephemeral port for the length of a test.

use std::net::SocketAddr;

use platform::http::Server;
use platform::shutdown::Shutdown;

pub struct TestServer {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    shutdown: Shutdown,
}

impl TestServer {
    pub async fn start(router: axum::Router) -> Self {
        let server = Server::bind("127.0.0.1", 0)
            .await
            .unwrap_or_else(|e| panic!("cannot bind a test port: {e}"));
        let addr = server.local_addr();
        let shutdown = Shutdown::new();
        let stop = shutdown.clone();
        tokio::spawn(async move {
            if let Err(e) = server.run_until_stopped(router, stop).await {
                eprintln!("test server stopped with an error: {e}");
            }
        });
        Self {
            addr,
            client: reqwest::Client::new(),
            shutdown,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
