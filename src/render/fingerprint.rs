//! Fingerprints of what each output shows, for `serve`'s render memo: when
//! a fingerprint is unchanged the output is reused instead of rendered.
//! Each one hashes exactly the inputs its page reads; anything site-wide
//! (config, templates, the pages in the navigation, the form secret, the
//! parlor version) is in the global fingerprint, which every one includes.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use rayon::prelude::*;

use super::Job;
use super::view::Views;
use crate::model::{Owner, SiteModel};

/// The fingerprints every output builds on, made once per build: the
/// global one, and each post as each kind of page shows it.
pub(crate) struct Prints {
    pub(crate) global: u64,
    /// As list pages and feeds show a post.
    post: Vec<u64>,
    /// As a neighbour's link shows it (`view::PostLink`): an edit to its
    /// text leaves the posts beside it as they were.
    link: Vec<u64>,
    /// As the archives show it (`view::ArchiveEntry`).
    entry: Vec<u64>,
    /// Its published comments, in thread order.
    thread: Vec<u64>,
    /// Each page's published comments, in thread order.
    page_thread: Vec<u64>,
}

impl Prints {
    pub(super) fn new(model: &SiteModel, form_secret: Option<&[u8]>) -> Prints {
        let each = |i: usize| {
            let p = &model.posts[i];
            let (url, count) = (&model.post_urls[i], model.threads[i].count);
            (
                one((p.fingerprint, url, count, model.comment_modes[i])),
                one((&p.title, url)),
                one((&p.title, url, &p.date, count)),
                thread_print(model, Owner::Post(i)),
            )
        };
        let mut prints = Prints {
            global: global(model, form_secret),
            post: Vec::new(),
            link: Vec::new(),
            entry: Vec::new(),
            thread: Vec::new(),
            page_thread: (0..model.pages.len()).map(|i| thread_print(model, Owner::Page(i))).collect(),
        };
        let all: Vec<_> = (0..model.posts.len()).into_par_iter().map(each).collect();
        for (post, link, entry, thread) in all {
            prints.post.push(post);
            prints.link.push(link);
            prints.entry.push(entry);
            prints.thread.push(thread);
        }
        prints
    }

    /// The comments of a post or page, for its pages and its comment feed.
    pub(crate) fn thread(&self, owner: Owner) -> u64 {
        match owner {
            Owner::Post(i) => self.thread[i],
            Owner::Page(i) => self.page_thread[i],
        }
    }
}

/// `owner`'s published comments in thread order, and how they are paged.
fn thread_print(model: &SiteModel, owner: Owner) -> u64 {
    let thread = model.thread(owner);
    let mut h = DefaultHasher::new();
    for ci in thread.all() {
        model.comments[ci].fingerprint.hash(&mut h);
    }
    thread.pages.hash(&mut h);
    h.finish()
}

fn one(value: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

fn global(model: &SiteModel, form_secret: Option<&[u8]>) -> u64 {
    let mut h = DefaultHasher::new();
    crate::cache_file::BUILD_ID.hash(&mut h);
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

pub(super) fn job(job: Job, views: &Views, prints: &Prints) -> u64 {
    let model = views.model;
    let mut h = DefaultHasher::new();
    prints.global.hash(&mut h);
    match job {
        Job::Post(i, n) => {
            (n, prints.post[i], prints.thread[i], views.comments_mode(i)).hash(&mut h);
            let (older, newer) = model.neighbours(i);
            (older.map(|n| prints.link[n]), newer.map(|n| prints.link[n])).hash(&mut h);
        }
        Job::Page(i, n) => {
            let owner = Owner::Page(i);
            (n, model.pages[i].fingerprint, prints.thread(owner), model.comment_mode(owner)).hash(&mut h);
        }
        Job::Listing(l) => {
            let listing = &model.listings[l];
            (&listing.url, listing.number, listing.total, listing.total_posts).hash(&mut h);
            listing.posts.iter().for_each(|&i| prints.post[i].hash(&mut h));
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
                    m.posts.iter().for_each(|&i| prints.entry[i].hash(&mut h));
                }
            }
        }
        Job::Year(y) => {
            for m in &model.years[y].months {
                (m.month, m.posts.len()).hash(&mut h);
                m.posts.iter().for_each(|&i| prints.entry[i].hash(&mut h));
            }
        }
        Job::Month(y, m) => {
            // A month page also names its year's other months.
            model.years[y].months.iter().map(|m| m.month).for_each(|m| m.hash(&mut h));
            model.years[y].months[m].posts.iter().for_each(|&i| prints.entry[i].hash(&mut h));
        }
        Job::NotFound => {}
    }
    h.finish()
}

/// The sitemap lists every page and each post's dates (`sitemap.rs`).
pub(super) fn sitemap(model: &SiteModel, prints: &Prints) -> u64 {
    let mut h = DefaultHasher::new();
    prints.global.hash(&mut h);
    for (p, url) in model.posts.iter().zip(&model.post_urls) {
        (url, &p.date, &p.updated).hash(&mut h);
    }
    model.listings.iter().filter(|l| l.number == 1).for_each(|l| l.url.hash(&mut h));
    model.years.iter().flat_map(|y| &y.months).for_each(|m| m.url.hash(&mut h));
    h.finish()
}
