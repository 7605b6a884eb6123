//! JSON Feed 1.1 (https://jsonfeed.org/version/1.1).

use serde::Serialize;

use super::{Feed, Item};
use crate::render::view::Views;

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: String,
    description: &'a str,
    language: &'a str,
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    url: &'a str,
    title: &'a str,
    content_html: &'a str,
    summary: &'a str,
    date_published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tags: &'a [String],
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
}

pub(super) fn write(feed: &Feed, views: &Views) -> Vec<u8> {
    let json = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: &feed.title,
        home_page_url: &feed.link,
        feed_url: feed.url(views, feed.names.json),
        description: &feed.description,
        language: &feed.language,
        items: feed.items.iter().map(item).collect(),
    };
    let mut out = serde_json::to_vec_pretty(&json).unwrap_or_default();
    out.push(b'\n');
    out
}

fn item(i: &Item) -> JsonItem<'_> {
    JsonItem {
        id: &i.guid,
        url: &i.link,
        title: &i.title,
        content_html: i.content_html.as_deref().unwrap_or(&i.summary_html),
        summary: &i.summary_html,
        date_published: i.date.rfc3339(),
        date_modified: i.updated.map(|d| d.rfc3339()),
        authors: i.author.iter().map(|a| Author { name: a }).collect(),
        tags: &i.categories,
    }
}
