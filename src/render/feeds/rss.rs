//! RSS 2.0, with `content:encoded`, `dc:creator` and `atom:link rel=self`.

use rss::extension::atom::{AtomExtension, Link};
use rss::extension::dublincore::DublinCoreExtension;
use rss::{CategoryBuilder, ChannelBuilder, GuidBuilder, ItemBuilder};

use super::{Feed, Item};
use crate::render::view::Views;

pub(super) fn write(feed: &Feed, views: &Views) -> Vec<u8> {
    let self_link = Link {
        href: feed.url(views, feed.names.rss),
        rel: "self".into(),
        mime_type: Some("application/rss+xml".into()),
        ..Link::default()
    };
    let channel = ChannelBuilder::default()
        .title(feed.title.clone())
        .link(feed.link.clone())
        .description(feed.description.clone())
        .language(Some(feed.language.clone()))
        .generator(Some(concat!("parlor ", env!("CARGO_PKG_VERSION")).to_string()))
        .last_build_date(feed.last_date().map(|d| d.rfc822()))
        .atom_ext(Some(AtomExtension { links: vec![self_link] }))
        .items(feed.items.iter().map(item).collect::<Vec<_>>())
        .build();
    let out = Vec::with_capacity(4096 + feed.items.len() * 2048);
    // Writing into a Vec cannot fail; an empty feed file would be the only outcome.
    match channel.pretty_write_to(out, b' ', 2) {
        Ok(mut bytes) => {
            bytes.push(b'\n');
            bytes
        }
        Err(_) => Vec::new(),
    }
}

fn item(i: &Item) -> rss::Item {
    let dc =
        i.author.as_ref().map(|a| DublinCoreExtension { creators: vec![a.clone()], ..Default::default() });
    ItemBuilder::default()
        .title(Some(i.title.clone()))
        .link(Some(i.link.clone()))
        .guid(Some(GuidBuilder::default().value(i.guid.clone()).permalink(false).build()))
        .pub_date(Some(i.date.rfc822()))
        .description(Some(i.summary_html.clone()))
        .content(i.content_html.clone())
        .dublin_core_ext(dc)
        .categories(
            i.categories
                .iter()
                .map(|c| CategoryBuilder::default().name(c.clone()).build())
                .collect::<Vec<_>>(),
        )
        .build()
}
