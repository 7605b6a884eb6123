//! Sending for real: mail over SMTP (lettre) and webhooks over HTTP (ureq).
//! The SMTP password comes only from `PARLOR_SMTP_PASSWORD` and the
//! webhook's signing key only from `PARLOR_WEBHOOK_SECRET`.

use std::time::Duration;

use anyhow::{Context, Result};
use lettre::Transport as _;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::transport::smtp::authentication::Credentials;

use super::outbox::{Mail, Message, SendError, Transport, Webhook};
use crate::config::{Config, SmtpTls};

pub const SMTP_PASSWORD_ENV: &str = "PARLOR_SMTP_PASSWORD";
pub const WEBHOOK_SECRET_ENV: &str = "PARLOR_WEBHOOK_SECRET";
/// The header holding a webhook body's signature: `sha256=<hex HMAC>`.
pub const SIGNATURE_HEADER: &str = "X-Parlor-Signature";
const TIMEOUT: Duration = Duration::from_secs(20);

/// SMTP and HTTP, as `[notify]` configures them.
pub struct Network {
    smtp: lettre::SmtpTransport,
    from: lettre::message::Mailbox,
    /// The domain of every `Message-ID`.
    domain: String,
    http: ureq::Agent,
    webhook_key: Option<Vec<u8>>,
}

impl Network {
    pub fn from_config(config: &Config) -> Result<Network> {
        let n = &config.notify;
        let builder = match n.smtp_tls {
            SmtpTls::None => lettre::SmtpTransport::builder_dangerous(&n.smtp_host),
            SmtpTls::Starttls => lettre::SmtpTransport::starttls_relay(&n.smtp_host)
                .with_context(|| format!("cannot use the SMTP host `{}`", n.smtp_host))?,
            SmtpTls::Tls => lettre::SmtpTransport::relay(&n.smtp_host)
                .with_context(|| format!("cannot use the SMTP host `{}`", n.smtp_host))?,
        };
        let mut builder = builder.port(n.port()).timeout(Some(TIMEOUT));
        if !n.smtp_user.is_empty() {
            let password = std::env::var(SMTP_PASSWORD_ENV).with_context(|| {
                format!("`[notify] smtp_user` is set: give its password in `{SMTP_PASSWORD_ENV}`")
            })?;
            builder = builder.credentials(Credentials::new(n.smtp_user.clone(), password));
        }
        let from = config.mail_from();
        let from: lettre::message::Mailbox =
            from.parse().with_context(|| format!("`[notify] from` is not an address: `{from}`"))?;
        let domain = from.email.domain().to_string();
        let http = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(false)
            .build()
            .new_agent();
        let webhook_key =
            std::env::var(WEBHOOK_SECRET_ENV).ok().filter(|k| !k.is_empty()).map(String::into_bytes);
        Ok(Network { smtp: builder.build(), from, domain, http, webhook_key })
    }

    fn send_mail(&self, id: &str, mail: &Mail) -> Result<(), SendError> {
        let message = self.mail_message(id, mail).map_err(|e| SendError::Permanent(format!("{e:#}")))?;
        self.smtp.send(&message).map(|_| ()).map_err(|e| {
            if e.is_permanent() {
                SendError::Permanent(e.to_string())
            } else {
                SendError::Transient(e.to_string())
            }
        })
    }

    fn mail_message(&self, id: &str, mail: &Mail) -> Result<lettre::Message> {
        let mut builder = lettre::Message::builder()
            .from(self.from.clone())
            .message_id(Some(format!("<{id}@{}>", self.domain)))
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .header(lettre::message::header::Date::now());
        for to in &mail.to {
            builder = builder.to(to.parse().with_context(|| format!("`{to}` is not an address"))?);
        }
        if let Some(url) = &mail.unsubscribe {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".into(),
                ));
        }
        Ok(builder.body(mail.text.clone())?)
    }

    fn send_webhook(&self, id: &str, hook: &Webhook) -> Result<(), SendError> {
        let body = serde_json::to_string(&serde_json::json!({ "id": id, "event": hook.body }))
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        let mut request = self.http.post(&hook.url).header("Content-Type", "application/json");
        if let Some(key) = &self.webhook_key {
            request = request.header(SIGNATURE_HEADER, format!("sha256={}", signature(key, &body)));
        }
        match request.send(body.as_str()) {
            Ok(r) if r.status().is_success() => Ok(()),
            // 4xx but 408 and 429: the receiver will never take it.
            Ok(r) if r.status().is_client_error() && ![408, 429].contains(&r.status().as_u16()) => {
                Err(SendError::Permanent(format!("the webhook answered {}", r.status())))
            }
            Ok(r) => Err(SendError::Transient(format!("the webhook answered {}", r.status()))),
            Err(e) => Err(SendError::Transient(e.to_string())),
        }
    }
}

/// HMAC-SHA256 of a webhook body with the webhook key, in hex: what a
/// receiver computes to know the body came from this site.
pub fn signature(key: &[u8], body: &str) -> String {
    use hmac::{KeyInit, Mac};
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

impl Transport for Network {
    fn send(&self, id: &str, message: &Message) -> Result<(), SendError> {
        match message {
            Message::Mail(mail) => self.send_mail(id, mail),
            Message::Webhook(hook) => self.send_webhook(id, hook),
        }
    }
}
