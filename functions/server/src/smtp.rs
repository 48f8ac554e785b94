//! The mail port over SMTP, for a supplier whose mail goes through its own server or a Russian
//! provider's relay rather than an HTTP mail API (chosen when `SMTP_HOST` is set). The message
//! is the one the HTTP API gets: plain text, an HTML alternative for notifications, the extra
//! headers (`List-Unsubscribe`); the subject and bodies in UTF-8 (RFC 2047 / MIME encoded).
//! TLS: implicit (`SMTP_TLS=tls`, port 465) or STARTTLS required (`starttls`, the default, port
//! 587); `none` only for a relay on the same host. Sent with lettre's blocking transport on
//! tokio's blocking pool, so the serving thread never waits on the network.

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use shared::ports::{Mail, Mailer};
use shared::{AppError, AppResult};
use std::time::Duration;

/// How the connection is protected.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SmtpTls {
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
    /// Plain connect, then STARTTLS; a server that does not offer it is refused.
    StartTls,
    /// No TLS: a relay on the same host or network only.
    None,
}

impl SmtpTls {
    pub fn parse(s: &str) -> Result<SmtpTls, String> {
        match s {
            "tls" => Ok(SmtpTls::Tls),
            "starttls" => Ok(SmtpTls::StartTls),
            "none" => Ok(SmtpTls::None),
            _ => Err(format!("SMTP_TLS: {s:?} is not tls, starttls or none")),
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::Tls => 465,
            SmtpTls::StartTls => 587,
            SmtpTls::None => 25,
        }
    }
}

/// The SMTP settings (`SMTP_HOST`, `SMTP_PORT`, `SMTP_TLS`, `SMTP_USER`, `SMTP_PASSWORD`,
/// `SMTP_FROM`).
#[derive(Clone, Debug)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub user: Option<String>,
    pub password: Option<String>,
    pub from: Mailbox,
}

#[derive(Clone)]
pub struct SmtpMail {
    transport: SmtpTransport,
    from: Mailbox,
}

impl SmtpMail {
    pub fn new(s: &SmtpSettings, timeout: Duration) -> Result<SmtpMail, String> {
        let tls = |host: &str| {
            TlsParameters::new(host.to_string()).map_err(|e| format!("SMTP_HOST: {e}"))
        };
        let mut b = SmtpTransport::builder_dangerous(s.host.as_str())
            .port(s.port)
            .timeout(Some(timeout));
        b = match s.tls {
            SmtpTls::Tls => b.tls(Tls::Wrapper(tls(&s.host)?)),
            SmtpTls::StartTls => b.tls(Tls::Required(tls(&s.host)?)),
            SmtpTls::None => b.tls(Tls::None),
        };
        if let Some(user) = &s.user {
            b = b.credentials(Credentials::new(
                user.clone(),
                s.password.clone().unwrap_or_default(),
            ));
        }
        Ok(SmtpMail {
            transport: b.build(),
            from: s.from.clone(),
        })
    }
}

/// The message as it goes on the wire.
pub fn message(from: &Mailbox, mail: &Mail) -> AppResult<Message> {
    let bad = |e: String| AppError::internal(format!("mail: {e}"));
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|e| bad(format!("recipient {:?}: {e}", mail.to)))?;
    let mut b = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        // Spam filters mark mail without one; the sender's domain names it.
        .message_id(Some(format!(
            "<{}@{}>",
            shared::ids::new_id("m"),
            from.email.domain()
        )));
    for (name, value) in &mail.headers {
        let name = HeaderName::new_from_ascii(name.clone())
            .map_err(|e| bad(format!("header {name:?}: {e}")))?;
        b = b.raw_header(HeaderValue::new(name, value.clone()));
    }
    let built = match &mail.html {
        Some(html) => b.multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            html.clone(),
        )),
        None => b.singlepart(SinglePart::plain(mail.text.clone())),
    };
    built.map_err(|e| bad(e.to_string()))
}

impl Mailer for SmtpMail {
    async fn send(&self, mail: &Mail) -> AppResult<()> {
        let message = message(&self.from, mail)?;
        let transport = self.transport.clone();
        tokio::task::spawn_blocking(move || transport.send(&message))
            .await
            .map_err(|e| AppError::internal(format!("smtp: {e}")))?
            .map(|_| ())
            .map_err(|e| AppError::unavailable(format!("smtp: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::{SmtpMail, SmtpSettings, SmtpTls};
    use base64::Engine;
    use shared::ports::{Mail, Mailer};
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::mpsc;
    use std::time::Duration;

    /// What the fake server received on one connection: the commands, and the message (DATA).
    #[derive(Debug, Default)]
    struct Received {
        commands: Vec<String>,
        data: String,
    }

    /// A minimal SMTP server on a free port for one connection: it offers AUTH (and STARTTLS
    /// only when asked to, though it cannot do it), accepts everything, and hands back what it got.
    fn fake_smtp(offer_starttls: bool) -> (u16, mpsc::Receiver<Received>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let mut out = stream.try_clone().unwrap();
            let mut lines = BufReader::new(stream);
            let mut got = Received::default();
            out.write_all(b"220 fake.test ESMTP\r\n").unwrap();
            let mut line = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let cmd = line.trim_end().to_string();
                got.commands.push(cmd.clone());
                let verb = cmd.split(' ').next().unwrap_or("").to_ascii_uppercase();
                let reply: &[u8] = match verb.as_str() {
                    "EHLO" if offer_starttls => {
                        b"250-fake.test\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n"
                    }
                    "EHLO" => {
                        b"250-fake.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 AUTH PLAIN LOGIN\r\n"
                    }
                    "AUTH" => b"235 2.7.0 accepted\r\n",
                    "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 ok\r\n",
                    "DATA" => {
                        out.write_all(b"354 go on\r\n").unwrap();
                        loop {
                            let mut l = String::new();
                            if lines.read_line(&mut l).unwrap_or(0) == 0 || l == ".\r\n" {
                                break;
                            }
                            got.data.push_str(&l);
                        }
                        b"250 queued\r\n"
                    }
                    "QUIT" => {
                        out.write_all(b"221 bye\r\n").unwrap();
                        break;
                    }
                    _ => b"502 not here\r\n",
                };
                out.write_all(reply).unwrap();
            }
            let _ = tx.send(got);
        });
        (port, rx)
    }

    fn settings(port: u16, tls: SmtpTls) -> SmtpSettings {
        SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            tls,
            user: Some("portal@supplier.ru".into()),
            password: Some("пароль-1".into()),
            from: "Портал поставщика <portal@supplier.ru>".parse().unwrap(),
        }
    }

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    /// RFC 2047 encoded words (`=?utf-8?b?...?=`, lettre's form) decoded and joined; the
    /// whitespace between adjacent encoded words does not count.
    fn decode_words(v: &str) -> String {
        let mut out = Vec::new();
        for word in v.split_whitespace() {
            let inner = word
                .strip_prefix("=?utf-8?b?")
                .and_then(|w| w.strip_suffix("?="))
                .unwrap_or_else(|| panic!("not a base64 encoded word: {word}"));
            out.extend(
                base64::engine::general_purpose::STANDARD
                    .decode(inner)
                    .unwrap(),
            );
        }
        String::from_utf8(out).unwrap()
    }

    /// A header's value, continuation lines unfolded.
    fn header(data: &str, name: &str) -> Option<String> {
        let head = data.split("\r\n\r\n").next().unwrap();
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                if let Some(v) = value.as_mut() {
                    v.push(' ');
                    v.push_str(line.trim());
                }
                continue;
            }
            if value.is_some() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case(name) {
                    value = Some(v.trim().to_string());
                }
            }
        }
        value
    }

    #[test]
    fn a_mail_arrives_with_its_headers_and_utf8_subject() {
        let (port, rx) = fake_smtp(false);
        let mailer = SmtpMail::new(&settings(port, SmtpTls::None), Duration::from_secs(5)).unwrap();
        let subject = "Заказ ЗК-000123 отгружен — документы в портале";
        let mut headers = std::collections::BTreeMap::new();
        headers.insert(
            "List-Unsubscribe".to_string(),
            "<https://portal.example.ru/api/auth/notifications/unsubscribe?token=abc>".to_string(),
        );
        let mail = Mail {
            to: "buyer@client.ru".into(),
            subject: subject.into(),
            text: "Здравствуйте!\nЗаказ отгружен.".into(),
            html: Some("<p>Здравствуйте!</p>".into()),
            headers,
        };
        run(mailer.send(&mail)).expect("sent");
        let got = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the server got it");
        let auth = got
            .commands
            .iter()
            .find(|c| c.starts_with("AUTH PLAIN "))
            .expect("AUTH PLAIN");
        let plain = base64::engine::general_purpose::STANDARD
            .decode(auth.trim_start_matches("AUTH PLAIN "))
            .unwrap();
        assert_eq!(plain, "\0portal@supplier.ru\0пароль-1".as_bytes());
        assert!(got
            .commands
            .iter()
            .any(|c| c.starts_with("MAIL FROM:<portal@supplier.ru>")));
        assert!(got
            .commands
            .iter()
            .any(|c| c == "RCPT TO:<buyer@client.ru>"));
        let data = &got.data;
        assert_eq!(
            decode_words(&header(data, "Subject").expect("Subject")),
            subject
        );
        let from = header(data, "From").unwrap();
        assert!(from.ends_with("<portal@supplier.ru>"), "{from}");
        assert_eq!(
            decode_words(from.trim_end_matches("<portal@supplier.ru>")),
            "Портал поставщика"
        );
        assert_eq!(header(data, "To").unwrap(), "buyer@client.ru");
        assert_eq!(
            header(data, "List-Unsubscribe").unwrap(),
            "<https://portal.example.ru/api/auth/notifications/unsubscribe?token=abc>"
        );
        assert!(header(data, "Date").is_some(), "{data}");
        assert!(
            header(data, "Message-ID")
                .unwrap()
                .ends_with("@supplier.ru>"),
            "{data}"
        );
        assert!(header(data, "Content-Type")
            .unwrap()
            .starts_with("multipart/alternative"));
        assert!(data.contains("Content-Type: text/plain; charset=utf-8"));
        assert!(data.contains("Content-Type: text/html; charset=utf-8"));
    }

    #[test]
    fn starttls_is_required_when_asked_for() {
        // The server offers no STARTTLS: the password must not go out in the clear.
        let (port, rx) = fake_smtp(false);
        let mailer =
            SmtpMail::new(&settings(port, SmtpTls::StartTls), Duration::from_secs(5)).unwrap();
        let mail = Mail {
            to: "buyer@client.ru".into(),
            subject: "x".into(),
            text: "x".into(),
            ..Default::default()
        };
        assert!(run(mailer.send(&mail)).is_err());
        let got = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the connection ended");
        assert!(
            !got.commands.iter().any(|c| c.starts_with("AUTH")),
            "{:?}",
            got.commands
        );
        assert!(got.data.is_empty());
    }
}
