//! One integration test binary: each module builds real sites in temp
//! folders with the real `parlor` binary and checks the output as parsed
//! HTML.

mod aliases;
mod architecture;
mod browser;
mod build;
mod cache;
mod cli;
mod comment_pages;
mod comments;
mod crash;
mod errors;
mod feeds;
mod hostile;
mod import;
mod import_disqus;
mod intake;
mod metadata;
mod moderation;
mod notify;
mod page_comments;
mod production;
mod security;
mod serve;
mod shortcodes;
mod snapshots;
mod spam_corpus;
mod support;
