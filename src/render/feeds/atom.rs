//! Atom 1.0: each entry with both its summary and its full content.

use atom_syndication::{
    Category, Content, Entry, Feed as AtomFeed, FixedDateTime, Generator, Link, Person, Text,
};

use super::{Feed, Item};
use crate::parse::PostDate;
use crate::render::view::Views;

pub(super) fn write(feed: &Feed, views: &Views) -> Vec<u8> {
    let self_url = feed.url(views, feed.names.atom);
    let mut atom = AtomFeed::default();
    atom.set_title(feed.title.clone());
    atom.set_id(self_url.clone());
    atom.set_updated(feed.last_date().map_or_else(epoch, |d| date(&d)));
    atom.set_subtitle(Some(Text::plain(feed.description.clone())));
    atom.set_lang(Some(feed.language.clone()));
    atom.set_generator(Some(Generator {
        value: "parlor".into(),
        version: Some(env!("CARGO_PKG_VERSION").into()),
        ..Generator::default()
    }));
    atom.set_links(vec![
        link(&feed.link, "alternate", "text/html"),
        link(&self_url, "self", "application/atom+xml"),
    ]);
    atom.set_entries(feed.items.iter().map(entry).collect::<Vec<_>>());
    let mut out = Vec::with_capacity(4096 + feed.items.len() * 2048);
    match atom.write_with_config(
        &mut out,
        atom_syndication::WriteConfig { write_document_declaration: true, indent_size: Some(2) },
    ) {
        Ok(_) => {
            out.push(b'\n');
            out
        }
        Err(_) => Vec::new(),
    }
}

fn entry(i: &Item) -> Entry {
    let mut e = Entry::default();
    e.set_title(i.title.clone());
    e.set_id(i.guid.clone());
    e.set_published(Some(date(&i.date)));
    e.set_updated(date(&i.updated.unwrap_or(i.date).max(i.date)));
    e.set_links(vec![link(&i.link, "alternate", "text/html")]);
    if let Some(a) = &i.author {
        e.set_authors(vec![Person { name: a.clone(), ..Person::default() }]);
    }
    e.set_categories(
        i.categories.iter().map(|c| Category { term: c.clone(), ..Category::default() }).collect::<Vec<_>>(),
    );
    e.set_summary(Some(Text::html(i.summary_html.clone())));
    let content = i.content_html.clone().unwrap_or_else(|| i.summary_html.clone());
    e.set_content(Some(Content {
        value: Some(content),
        content_type: Some("html".into()),
        ..Content::default()
    }));
    e
}

fn link(href: &str, rel: &str, mime: &str) -> Link {
    Link { href: href.into(), rel: rel.into(), mime_type: Some(mime.into()), ..Link::default() }
}

fn date(d: &PostDate) -> FixedDateTime {
    FixedDateTime::parse_from_rfc3339(&d.rfc3339()).unwrap_or_else(|_| epoch())
}

fn epoch() -> FixedDateTime {
    FixedDateTime::parse_from_rfc3339("1970-01-01T00:00:00Z").unwrap_or_default()
}
