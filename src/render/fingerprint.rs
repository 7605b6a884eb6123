//! Fingerprints of what each output shows, for `serve`'s render memo: when
//! a fingerprint is unchanged the output is reused instead of rendered.
//! Each one hashes exactly the inputs its page reads; anything site-wide
//! (config, templates, the pages in the navigation, the form secret, the
//! parlor version) is in the global fingerprint, which every one includes.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use super::Job;
use super::view::Views;
use crate::model::SiteModel;

pub(super) fn global(model: &SiteModel, form_secret: Option<&[u8]>) -> u64 {
    let mut h = DefaultHasher::new();
    crate::BUILD_ID.hash(&mut h);
    format!("{:?}", model.config).hash(&mut h);
    for t in &model.theme.templates {
        (&t.name, &t.text).hash(&mut h);
    }
    for (p, url) in model.pages.iter().zip(&model.page_urls) {
        (p.fingerprint, url).hash(&mut h);
    }
    form_secret.hash(&mut h);
    h.finish()
}

/// A post as list pages and feeds show it.
fn post(model: &SiteModel, i: usize, h: &mut DefaultHasher) {
    (model.posts[i].fingerprint, &model.post_urls[i], model.threads[i].count).hash(h);
}

/// A post as a neighbour's link shows it (`view::PostLink`): an edit to
/// its text leaves the posts beside it as they were.
fn link(model: &SiteModel, i: usize, h: &mut DefaultHasher) {
    (&model.posts[i].title, &model.post_urls[i]).hash(h);
}

/// A post as the archives show it (`view::ArchiveEntry`).
fn archive_entry(model: &SiteModel, i: usize, h: &mut DefaultHasher) {
    let p = &model.posts[i];
    (&p.title, &model.post_urls[i], &p.date, model.threads[i].count).hash(h);
}

/// A post's published comments, in thread order, with their numbers.
pub(super) fn thread(model: &SiteModel, i: usize, h: &mut DefaultHasher) {
    for ci in model.threads[i].all() {
        model.comments[ci].fingerprint.hash(h);
    }
}

pub(super) fn job(job: Job, views: &Views, global: u64) -> u64 {
    let model = views.model;
    let mut h = DefaultHasher::new();
    global.hash(&mut h);
    match job {
        Job::Post(i) => {
            post(model, i, &mut h);
            thread(model, i, &mut h);
            format!("{:?}", views.comments_mode(i)).hash(&mut h);
            let (older, newer) = model.neighbours(i);
            for n in [older, newer] {
                n.map(|n| link(model, n, &mut h)).hash(&mut h);
            }
        }
        Job::Page(i) => model.pages[i].fingerprint.hash(&mut h),
        Job::Listing(l) => {
            let listing = &model.listings[l];
            (&listing.url, listing.number, listing.total, listing.total_posts).hash(&mut h);
            for &i in &listing.posts {
                post(model, i, &mut h);
            }
        }
        Job::TermList(_) => {
            for t in model.tags.iter().chain(&model.categories) {
                (&t.name, &t.url, t.posts.len()).hash(&mut h);
            }
        }
        Job::Archive => {
            for year in &model.years {
                (year.year, year.months.len()).hash(&mut h);
                for m in &year.months {
                    (m.month, m.posts.len()).hash(&mut h);
                    m.posts.iter().for_each(|&i| archive_entry(model, i, &mut h));
                }
            }
        }
        Job::Year(y) => {
            for m in &model.years[y].months {
                (m.month, m.posts.len()).hash(&mut h);
                m.posts.iter().for_each(|&i| archive_entry(model, i, &mut h));
            }
        }
        Job::Month(y, m) => {
            // A month page also names its year's other months.
            model.years[y].months.iter().map(|m| m.month).for_each(|m| m.hash(&mut h));
            model.years[y].months[m].posts.iter().for_each(|&i| archive_entry(model, i, &mut h));
        }
        Job::NotFound => {}
    }
    h.finish()
}

/// The sitemap lists every page and each post's dates (`sitemap.rs`).
pub(super) fn sitemap(model: &SiteModel, global: u64) -> u64 {
    let mut h = DefaultHasher::new();
    global.hash(&mut h);
    for (p, url) in model.posts.iter().zip(&model.post_urls) {
        (url, &p.date, &p.updated).hash(&mut h);
    }
    model.listings.iter().filter(|l| l.number == 1).for_each(|l| l.url.hash(&mut h));
    model.years.iter().flat_map(|y| &y.months).for_each(|m| m.url.hash(&mut h));
    h.finish()
}
