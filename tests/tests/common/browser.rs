//! A real browser for end-to-end tests: Debian's headless Chromium, driven through ChromeDriver
//! with the W3C WebDriver protocol (JSON over HTTP, spoken here over a plain TCP stream).
//! `tests/run.sh` installs both (`chromium`, `chromium-driver`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::Proc;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The key WebDriver uses for element references.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A browser session.
pub struct Browser {
    _driver: Proc,
    port: u16,
    session: String,
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium session; its log goes to `log`.
    pub fn start(log: &Path) -> Self {
        for exe in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                Path::new(exe).exists(),
                "{exe} is missing: the browser tests need Debian's chromium and chromium-driver (tests/run.sh installs them)"
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Proc::spawn(CHROMEDRIVER, &[&format!("--port={port}")], log);
        let mut browser = Self {
            _driver: driver,
            port,
            session: String::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while browser.request("GET", "/status", None).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let created = browser
            .request(
                "POST",
                "/session",
                Some(json!({"capabilities": {"alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": CHROMIUM,
                        "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                                 "--disable-dev-shm-usage", "--window-size=1280,2400"],
                    },
                }}})),
            )
            .expect("a browser session");
        browser.session = created["sessionId"]
            .as_str()
            .expect("session id")
            .to_owned();
        browser
    }

    /// One WebDriver call; the `value` of its answer, or the error it reports.
    fn request(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .map_err(|e| e.to_string())?;
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        )
        .map_err(|e| e.to_string())?;
        // ChromeDriver keeps the connection open: read the head, then exactly the body.
        let mut answer = Vec::new();
        let mut buf = [0u8; 64 * 1024];
        let split = loop {
            if let Some(i) = answer.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("no HTTP answer".into());
            }
            answer.extend_from_slice(&buf[..n]);
        };
        let head = String::from_utf8_lossy(&answer[..split]).to_ascii_lowercase();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok());
        let mut body = answer[split + 4..].to_vec();
        match length {
            Some(length) => {
                while body.len() < length {
                    let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
                    if n == 0 {
                        break;
                    }
                    body.extend_from_slice(&buf[..n]);
                }
            }
            None => {
                stream.read_to_end(&mut body).map_err(|e| e.to_string())?;
                if head.contains("transfer-encoding: chunked") {
                    body = unchunk(&body);
                }
            }
        }
        let text = String::from_utf8_lossy(&body);
        let value: Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
        let value = value.get("value").cloned().unwrap_or(value);
        match value.get("error") {
            Some(error) => Err(format!("{error}: {}", value["message"])),
            None => Ok(value),
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        self.request(method, &path, body)
            .unwrap_or_else(|e| panic!("webdriver {method} {path}: {e}"))
    }

    /// Opens `url`.
    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn element(&self, css: &str) -> Option<String> {
        let path = format!("/session/{}/element", self.session);
        self.request(
            "POST",
            &path,
            Some(json!({"using": "css selector", "value": css})),
        )
        .ok()
        .and_then(|v| v[ELEMENT].as_str().map(str::to_owned))
    }

    fn wait_element(&self, css: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(id) = self.element(css) {
                return id;
            }
            assert!(Instant::now() < deadline, "no element {css:?} appeared");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Clicks the element `css`.
    pub fn click(&self, css: &str) {
        let id = self.wait_element(css, Duration::from_secs(10));
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    /// Types `text` into the element `css` (for a file input: a file's path).
    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.wait_element(css, Duration::from_secs(10));
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// The visible text of the element `css`, or "" if there is none.
    pub fn text(&self, css: &str) -> String {
        match self.element(css) {
            Some(id) => self
                .call("GET", &format!("/element/{id}/text"), None)
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            None => String::new(),
        }
    }

    /// The text content of the element `css` exactly as in the page (WebDriver's visible text
    /// turns no-break spaces into spaces).
    pub fn content(&self, css: &str) -> String {
        let css = serde_json::to_string(css).unwrap_or_default();
        self.script(&format!(
            "const e = document.querySelector({css}); return e ? e.textContent : '';"
        ))
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Waits until the text of `css` satisfies `ok`; returns it.
    pub fn wait_text(&self, css: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = self.text(css);
            if ok(&text) {
                return text;
            }
            if Instant::now() > deadline {
                let shot = std::env::temp_dir().join("midwa-browser-failure.png");
                self.screenshot(&shot);
                let page = self.script("return document.documentElement.outerHTML.slice(0, 3000) + ' url=' + location.href;");
                panic!(
                    "{css}: never showed {what}; it shows {text:?} (screenshot: {})\nthe page:\n{page}",
                    shot.display()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs `js` until it returns something other than null; that result.
    pub fn wait_script(&self, what: &str, js: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let value = self.script(js);
            if !value.is_null() {
                return value;
            }
            assert!(Instant::now() < deadline, "never saw {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs a script in the page; its result.
    pub fn script(&self, js: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": js, "args": [] })),
        )
    }

    /// Saves a screenshot of the page (for a post-mortem).
    pub fn screenshot(&self, path: &Path) {
        use base64::Engine as _;
        let png = self.call("GET", "/screenshot", None);
        if let Some(b64) = png.as_str()
            && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64)
        {
            let _ = std::fs::write(path, bytes);
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.request("DELETE", &format!("/session/{}", self.session), None);
        }
    }
}

/// The body of a chunked HTTP answer.
fn unchunk(mut bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = bytes.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&bytes[..end]);
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        let rest = &bytes[end + 2..];
        if n == 0 || rest.len() < n {
            break;
        }
        out.extend_from_slice(&rest[..n]);
        bytes = rest[n..].strip_prefix(b"\r\n").unwrap_or(&rest[n..]);
    }
    out
}
