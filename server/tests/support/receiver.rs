//! A merchant's webhook receiver on 127.0.0.1:0: it keeps every request and answers as the
//! test scripts it (a status, or too slowly), then with its default.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use secrecy::{ExposeSecret, SecretString};

#[derive(Debug, Clone, Copy)]
pub enum Answer {
    Status(u16),
    /// 200, but only after this long.
    Slow(Duration),
}

#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Received {
    pub fn event(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn webhook_id(&self) -> String {
        self.header("webhook-id")
    }

    pub fn header(&self, name: &str) -> String {
        self.headers[name].to_str().unwrap().to_owned()
    }

    /// Whether the request verifies under `secret` with the `standardwebhooks` crate,
    /// which also holds the timestamp to five minutes of now.
    pub fn verifies(&self, secret: &SecretString) -> bool {
        self.verifies_body(secret, &self.body)
    }

    pub fn verifies_body(&self, secret: &SecretString, body: &[u8]) -> bool {
        let hook = standardwebhooks::Webhook::new(secret.expose_secret()).unwrap();
        hook.verify(body, &self.headers).is_ok()
    }
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    script: VecDeque<Answer>,
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    default: Answer,
    inner: Arc<Mutex<Inner>>,
}

impl Receiver {
    pub async fn start(default: Answer) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let receiver = Receiver {
            url,
            default,
            inner: Arc::default(),
        };
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        receiver
    }

    /// The next requests' answers, in order; the default follows.
    pub fn script(&self, answers: &[Answer]) {
        self.inner
            .lock()
            .unwrap()
            .script
            .extend(answers.iter().copied());
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// The `type` and `data.object.id` of each request, in order.
    pub fn seen(&self) -> Vec<(String, String)> {
        self.received()
            .iter()
            .map(|r| {
                let event = r.event();
                (
                    event["type"].as_str().unwrap().to_owned(),
                    event["data"]["object"]["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }
}

async fn answer(
    State(receiver): State<Receiver>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let next = {
        let mut inner = receiver.inner.lock().unwrap();
        inner.received.push(Received {
            headers,
            body: body.to_vec(),
        });
        inner.script.pop_front().unwrap_or(receiver.default)
    };
    match next {
        Answer::Status(code) => (
            StatusCode::from_u16(code).unwrap(),
            "boom from the receiver",
        ),
        Answer::Slow(wait) => {
            tokio::time::sleep(wait).await;
            (StatusCode::OK, "ok")
        }
    }
}
