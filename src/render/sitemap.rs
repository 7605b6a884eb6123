//! `sitemap.xml`, written with quick-xml: every page, absolute URLs, and
//! the date a post last changed.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::view::Views;
use crate::model::SiteModel;

pub(super) fn sitemap(model: &SiteModel, views: &Views) -> Vec<u8> {
    let mut entries: Vec<(String, Option<String>)> = Vec::new();
    entries.push((views.absolute("/"), model.posts.first().map(|p| p.date.ymd())));
    for (p, url) in model.posts.iter().zip(&model.post_urls) {
        entries.push((views.absolute(url), Some(p.updated.unwrap_or(p.date).ymd())));
    }
    for (p, url) in model.pages.iter().zip(&model.page_urls) {
        entries.push((views.absolute(url), p.updated.or(p.date).map(|d| d.ymd())));
    }
    for l in model.listings.iter().filter(|l| l.number == 1 && l.url != "/") {
        entries.push((views.absolute(&l.url), None));
    }
    for url in ["/tags/", "/categories/", "/archive/"] {
        entries.push((views.absolute(url), None));
    }
    for y in &model.years {
        entries.push((views.absolute(&y.url), None));
        entries.extend(y.months.iter().map(|m| (views.absolute(&m.url), None)));
    }
    write(&entries)
}

fn write(entries: &[(String, Option<String>)]) -> Vec<u8> {
    let mut w = Writer::new_with_indent(Vec::with_capacity(entries.len() * 100), b' ', 2);
    // Writing to a Vec cannot fail.
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let urlset =
        BytesStart::new("urlset").with_attributes([("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9")]);
    let _ = w.write_event(Event::Start(urlset));
    for (loc, lastmod) in entries {
        let _ = w.create_element("url").write_inner_content(|w| {
            w.create_element("loc").write_text_content(BytesText::new(loc))?;
            if let Some(date) = lastmod {
                w.create_element("lastmod").write_text_content(BytesText::new(date))?;
            }
            Ok(())
        });
    }
    let _ = w.write_event(Event::End(BytesEnd::new("urlset")));
    let mut out = w.into_inner();
    out.push(b'\n');
    out
}
