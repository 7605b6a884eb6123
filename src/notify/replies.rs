//! Mail to readers: the confirmation of a subscription to replies (double
//! opt-in) and, once confirmed, one mail per published reply, each with a
//! one-click unsubscribe (a signed link, `List-Unsubscribe` and RFC 8058's
//! `List-Unsubscribe-Post`). Reply mail is rate-limited per address and
//! per site: past the limit a reply is not mailed (and the log says so).

use std::collections::HashMap;

use anyhow::Result;

use super::links::{Purpose, SignedLink};
use super::outbox::Mail;
use super::{Notifier, PostRef, intake_address, one_line};
use crate::parse::comment::Comment;

/// Reply mails the whole site sends in an hour, at most.
const SITE_REPLY_MAILS_PER_HOUR: usize = 200;

/// When mails went out, by address and for the site, over the last hour.
#[derive(Default)]
pub(super) struct Sent {
    by_address: HashMap<String, Vec<i64>>,
    site: Vec<i64>,
}

impl Sent {
    /// Takes one mail to `address` at `now` if the limits allow it.
    fn take(&mut self, address: &str, now: i64, per_address: usize) -> bool {
        let recent = |times: &mut Vec<i64>| times.retain(|t| now - t < 3600);
        recent(&mut self.site);
        let mine = self.by_address.entry(address.to_ascii_lowercase()).or_default();
        recent(mine);
        if mine.len() >= per_address || self.site.len() >= SITE_REPLY_MAILS_PER_HOUR {
            return false;
        }
        mine.push(now);
        self.site.push(now);
        self.by_address.retain(|_, times| !times.is_empty());
        true
    }
}

/// Where subscription links point: beside the comment form's address.
pub fn subscription_url(config: &crate::config::Config) -> String {
    format!("{}/subscription", intake_address(config))
}

impl Notifier {
    /// Asks `email` to confirm that they want replies to `comment` mailed.
    pub fn confirm_subscription(
        &self,
        email: &str,
        comment: &Comment,
        post: &PostRef,
        now: jiff::Timestamp,
    ) -> Result<bool> {
        let expires = now.as_second() + i64::from(self.config.notify.link_days) * 86_400;
        let confirm = self.subscription_link(Purpose::Confirm, email, "confirm", expires)?;
        let stop = self.subscription_link(Purpose::Unsubscribe, email, "stop", 0)?;
        let title = &self.config.title;
        let text = format!(
            "You asked to be emailed replies to your comment on \"{}\" ({}{}).\n\nTo confirm, open this link and press the button:\n{confirm}\n\nIf it was not you, ignore this mail: nothing will be sent without your confirmation.\n\nTo stop every mail from {title}:\n{stop}\n",
            post.title, self.config.base_url, post.path
        );
        let mail = Mail {
            to: vec![email.to_string()],
            subject: format!("[{title}] Confirm: email me replies to my comment"),
            text,
            unsubscribe: Some(stop),
        };
        let id = format!("confirm-{}-{}", crate::slugs::short_hash(&email.to_ascii_lowercase()), comment.id);
        self.mail_reader(&id, mail, now)
    }

    /// Mails `email` that `reply` to their comment was published; false
    /// when it was mailed already or the rate limits held it back.
    pub fn reply_published(
        &self,
        email: &str,
        reply: &Comment,
        post: &PostRef,
        now: jiff::Timestamp,
    ) -> Result<bool> {
        let per_address = self.config.notify.reply_limit_per_hour as usize;
        let allowed =
            self.sent.lock().unwrap_or_else(|e| e.into_inner()).take(email, now.as_second(), per_address);
        if !allowed {
            eprintln!(
                "warning: a reply notification was not sent: the hourly limit of reply mails is reached"
            );
            return Ok(false);
        }
        let stop = self.subscription_link(Purpose::Unsubscribe, email, "stop", 0)?;
        let title = &self.config.title;
        let link = format!("{}{}#comment-{}", self.config.base_url, post.path, reply.id);
        let text = format!(
            "{} replied to your comment on \"{}\":\n\n{}\n\nRead it and reply: {link}\n\nStop these mails (one click): {stop}\n",
            reply.author,
            post.title,
            reply.body.trim_end()
        );
        let mail = Mail {
            to: vec![email.to_string()],
            subject: format!(
                "[{title}] {} replied to your comment on \"{}\"",
                one_line(&reply.author, 40),
                one_line(post.title, 60)
            ),
            text,
            unsubscribe: Some(stop),
        };
        let id = format!("reply-{}-{}", reply.id, crate::slugs::short_hash(&email.to_ascii_lowercase()));
        self.mail_reader(&id, mail, now)
    }

    fn subscription_link(&self, purpose: Purpose, email: &str, action: &str, expires: i64) -> Result<String> {
        let link = SignedLink::new(&self.secret, purpose, email, action, expires)?;
        Ok(format!("{}?{}", subscription_url(&self.config), link.query()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_mail_is_limited_per_address_and_forgotten_after_an_hour() {
        let mut sent = Sent::default();
        assert!(sent.take("a@x.org", 0, 2));
        assert!(sent.take("A@x.org", 10, 2));
        assert!(!sent.take("a@x.org", 20, 2), "a third in the hour");
        assert!(sent.take("b@x.org", 20, 2), "another address");
        assert!(sent.take("a@x.org", 3600, 2), "an hour later");
    }
}
