//! Comments in the site model: which are valid, which are published, and
//! how they thread. A comment with a problem (no such post, an unknown or
//! foreign `reply_to`, a repeated id) is a warning: the build goes on
//! without it, and `parlor check` fails on it.

// Maps of ids and slugs, rebuilt on every `serve` rebuild: a fast hasher.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::sync::Arc;

use crate::config::{CommentOrder, CommentSettings};
use crate::diag::{Diagnostic, Diagnostics};
use crate::parse::comment::{Comment, Status};

/// A published comment and its published replies.
#[derive(Debug, Clone, PartialEq)]
pub struct CommentNode {
    /// Index into `SiteModel::comments`.
    pub comment: usize,
    /// 1-based, in the order readers see them.
    pub number: usize,
    pub children: Vec<CommentNode>,
}

/// The published comments of one post.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Thread {
    pub roots: Vec<CommentNode>,
    pub count: usize,
    /// The top-level comments of each comment page, as ranges of `roots`:
    /// one page (holding them all) unless `[comments] per_page` splits
    /// them. A reply is always on its top-level comment's page.
    pub pages: Vec<std::ops::Range<usize>>,
}

impl Thread {
    /// How many comment pages the thread fills: at least one.
    pub fn page_count(&self) -> usize {
        self.pages.len().max(1)
    }

    /// The top-level comments of comment page `n` (1-based).
    pub fn page(&self, n: usize) -> &[CommentNode] {
        self.pages.get(n.wrapping_sub(1)).map_or(&[], |r| &self.roots[r.clone()])
    }

    /// The comment page (1-based) holding comment `ci`; 1 when it is not in
    /// the thread.
    pub fn page_of(&self, ci: usize) -> usize {
        fn holds(n: &CommentNode, ci: usize) -> bool {
            n.comment == ci || n.children.iter().any(|c| holds(c, ci))
        }
        let Some(root) = self.roots.iter().position(|n| holds(n, ci)) else { return 1 };
        self.pages.iter().position(|r| r.contains(&root)).map_or(1, |p| p + 1)
    }

    /// Every comment of the thread, in reading order.
    pub fn all(&self) -> Vec<usize> {
        fn walk(nodes: &[CommentNode], out: &mut Vec<usize>) {
            for n in nodes {
                out.push(n.comment);
                walk(&n.children, out);
            }
        }
        let mut out = Vec::with_capacity(self.count);
        walk(&self.roots, &mut out);
        out
    }
}

/// How many comments the build saw, by what happened to them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommentStats {
    pub published: usize,
    pub pending: usize,
    pub rejected: usize,
    pub spam: usize,
    /// Left out for problems in the file or its links.
    pub broken: usize,
}

/// Keeps the comments that are consistent with the site; reports the rest.
pub fn validate(
    comments: Vec<Arc<Comment>>,
    post_slugs: &HashSet<&str>,
    diags: &Diagnostics,
) -> (Vec<Arc<Comment>>, usize) {
    let mut by_id: HashMap<&str, &Comment> = HashMap::new();
    let mut problems: HashSet<usize> = HashSet::new();
    let warn = |c: &Comment, line: usize, message: String, help: &str| {
        Diagnostic::error(&c.path, message)
            .at_line_of_file(line)
            .with_help(help)
            .into_warning("this comment is not published until it is fixed")
    };
    let mut found = Vec::new();
    for (i, c) in comments.iter().enumerate() {
        if !post_slugs.contains(c.post_slug.as_str()) {
            found.push(warn(
                c,
                1,
                format!("comment on post `{}`, but no post or page has that slug", c.post_slug),
                "move the file to `content/comments/<slug>/` of an existing post or page",
            ));
            problems.insert(i);
        }
        if let Some(first) = by_id.insert(&c.id, c) {
            found.push(warn(
                c,
                1,
                format!("comment id `{}` is also used by `{}`", c.id, first.path.display()),
                "every comment needs its own id; rename one file and its `id`",
            ));
            problems.insert(i);
        }
    }
    for (i, c) in comments.iter().enumerate() {
        let Some(parent) = &c.reply_to else { continue };
        match by_id.get(parent.as_str()) {
            None => {
                found.push(warn(
                    c,
                    c.reply_to_line,
                    format!("`reply_to: {parent}`: no comment has that id"),
                    "fix the id, or remove `reply_to`",
                ));
                problems.insert(i);
            }
            Some(p) if p.post_slug != c.post_slug => {
                found.push(warn(
                    c,
                    c.reply_to_line,
                    format!("`reply_to: {parent}` is a comment on another post (`{}`)", p.post_slug),
                    "a reply must be on the same post as the comment it answers",
                ));
                problems.insert(i);
            }
            Some(_) => {}
        }
    }
    diags.extend(found);
    let broken = problems.len();
    let valid =
        comments.into_iter().enumerate().filter(|(i, _)| !problems.contains(i)).map(|(_, c)| c).collect();
    (valid, broken)
}

pub fn stats(comments: &[Arc<Comment>], broken: usize) -> CommentStats {
    let mut s = CommentStats { broken, ..CommentStats::default() };
    for c in comments {
        match c.status {
            Status::Approved => s.published += 1,
            Status::Pending => s.pending += 1,
            Status::Rejected => s.rejected += 1,
            Status::Spam => s.spam += 1,
        }
    }
    s
}

/// Threads a post's approved comments. Top-level comments come in the
/// configured order, replies always oldest first under their parent, no
/// deeper than `threading_depth` (deeper replies join the deepest level).
/// A reply whose parent is not published stands at the top level.
pub fn thread(comments: &[Arc<Comment>], indices: &[usize], settings: &CommentSettings) -> Thread {
    let mut approved: Vec<usize> =
        indices.iter().copied().filter(|&i| comments[i].status == Status::Approved).collect();
    approved.sort_by(|&a, &b| (comments[a].date, &comments[a].id).cmp(&(comments[b].date, &comments[b].id)));
    let published: HashSet<&str> = approved.iter().map(|&i| comments[i].id.as_str()).collect();
    let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for &i in &approved {
        match comments[i].reply_to.as_deref().filter(|p| published.contains(p)) {
            Some(parent) => children.entry(parent).or_default().push(i),
            None => roots.push(i),
        }
    }
    if settings.threading_depth <= 1 {
        // No nesting at all: every comment stands at the top level.
        roots = approved.clone();
        children.clear();
    }
    if settings.order == CommentOrder::Newest {
        roots.reverse();
    }
    let mut number = 0;
    let depth = settings.threading_depth.max(1);
    let roots: Vec<CommentNode> =
        roots.iter().map(|&i| node(comments, i, &children, 1, depth, &mut number)).collect();
    let pages = split_pages(roots.len(), settings.per_page);
    Thread { roots, count: approved.len(), pages }
}

/// `roots` top-level comments in pages of `per_page` (0: all on one).
fn split_pages(roots: usize, per_page: usize) -> Vec<std::ops::Range<usize>> {
    let per_page = if per_page == 0 { roots.max(1) } else { per_page };
    let mut pages: Vec<std::ops::Range<usize>> =
        (0..roots).step_by(per_page).map(|start| start..(start + per_page).min(roots)).collect();
    if pages.is_empty() {
        pages.push(0..0);
    }
    pages
}

/// Comment `i` at `depth` (1 for the top level) with its replies.
fn node(
    comments: &[Arc<Comment>],
    i: usize,
    children: &HashMap<&str, Vec<usize>>,
    depth: usize,
    max_depth: usize,
    number: &mut usize,
) -> CommentNode {
    *number += 1;
    let mut n = CommentNode { comment: i, number: *number, children: Vec::new() };
    let replies = children.get(comments[i].id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
    if depth + 1 < max_depth {
        n.children =
            replies.iter().map(|&r| node(comments, r, children, depth + 1, max_depth, number)).collect();
    } else if depth + 1 == max_depth {
        // The replies are at the deepest level: every deeper reply joins them.
        let mut all = Vec::new();
        for &r in replies {
            descendants(comments, r, children, &mut all);
        }
        all.sort_by(|&a, &b| (comments[a].date, &comments[a].id).cmp(&(comments[b].date, &comments[b].id)));
        n.children = all
            .into_iter()
            .map(|r| {
                *number += 1;
                CommentNode { comment: r, number: *number, children: Vec::new() }
            })
            .collect();
    }
    n
}

/// `i` and every reply below it.
fn descendants(
    comments: &[Arc<Comment>],
    i: usize,
    children: &HashMap<&str, Vec<usize>>,
    out: &mut Vec<usize>,
) {
    out.push(i);
    for &r in children.get(comments[i].id.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
        descendants(comments, r, children, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::PostDate;

    fn c(id: &str, minute: u32, reply_to: Option<&str>, status: Status) -> Comment {
        Comment {
            path: format!("content/comments/p/{id}.md").into(),
            post_slug: "p".into(),
            id: id.into(),
            author: String::new(),
            email: None,
            website: None,
            date: PostDate::parse(&format!("2020-01-01T10:{minute:02}:00Z")).unwrap(),
            reply_to: reply_to.map(String::from),
            member: false,
            status,
            moderation: None,
            body: String::new(),
            reply_to_line: 1,
            html: String::new(),
            fingerprint: 0,
        }
    }

    /// `id(number)[children]` for a thread.
    fn shape(comments: &[Arc<Comment>], nodes: &[CommentNode]) -> String {
        nodes
            .iter()
            .map(|n| {
                let kids = if n.children.is_empty() {
                    String::new()
                } else {
                    format!("[{}]", shape(comments, &n.children))
                };
                format!("{}({}){kids}", comments[n.comment].id, n.number)
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn chain() -> Vec<Arc<Comment>> {
        [
            c("a", 1, None, Status::Approved),
            c("b", 2, Some("a"), Status::Approved),
            c("c", 3, Some("b"), Status::Approved),
            c("d", 4, Some("c"), Status::Approved),
            c("e", 5, None, Status::Approved),
            c("f", 6, Some("a"), Status::Approved),
            c("x", 7, None, Status::Pending),
            c("y", 8, Some("x"), Status::Approved),
        ]
        .into_iter()
        .map(Arc::new)
        .collect()
    }

    fn settings(depth: usize, order: CommentOrder) -> CommentSettings {
        CommentSettings { threading_depth: depth, order, ..CommentSettings::default() }
    }

    #[test]
    fn replies_nest_up_to_the_depth_and_no_further() {
        let cs = chain();
        let all: Vec<usize> = (0..cs.len()).collect();
        let t = thread(&cs, &all, &settings(5, CommentOrder::Oldest));
        assert_eq!(t.count, 7);
        assert_eq!(shape(&cs, &t.roots), "a(1)[b(2)[c(3)[d(4)]] f(5)] e(6) y(7)");
        let t = thread(&cs, &all, &settings(2, CommentOrder::Oldest));
        assert_eq!(shape(&cs, &t.roots), "a(1)[b(2) c(3) d(4) f(5)] e(6) y(7)");
        let t = thread(&cs, &all, &settings(1, CommentOrder::Oldest));
        assert_eq!(shape(&cs, &t.roots), "a(1) b(2) c(3) d(4) e(5) f(6) y(7)");
    }

    #[test]
    fn pages_hold_top_level_comments_with_their_replies() {
        let cs = chain();
        let all: Vec<usize> = (0..cs.len()).collect();
        let paged = CommentSettings { per_page: 2, ..settings(5, CommentOrder::Oldest) };
        let t = thread(&cs, &all, &paged);
        assert_eq!(t.page_count(), 2);
        assert_eq!(shape(&cs, t.page(1)), "a(1)[b(2)[c(3)[d(4)]] f(5)] e(6)");
        assert_eq!(shape(&cs, t.page(2)), "y(7)");
        let id = |id: &str| cs.iter().position(|c| c.id == id).unwrap();
        assert_eq!((t.page_of(id("d")), t.page_of(id("e")), t.page_of(id("y"))), (1, 1, 2));
        assert!(t.page(3).is_empty());
        let newest = CommentSettings { per_page: 2, ..settings(5, CommentOrder::Newest) };
        let t = thread(&cs, &all, &newest);
        assert_eq!(shape(&cs, t.page(1)), "y(1) e(2)");
        assert_eq!(t.page_of(id("d")), 2);
        let one = thread(&cs, &all, &settings(5, CommentOrder::Oldest));
        assert_eq!((one.page_count(), one.page(1).len()), (1, 3));
        assert_eq!(Thread::default().page_count(), 1);
    }

    #[test]
    fn newest_first_orders_the_top_level_only() {
        let cs = chain();
        let all: Vec<usize> = (0..cs.len()).collect();
        let t = thread(&cs, &all, &settings(5, CommentOrder::Newest));
        assert_eq!(shape(&cs, &t.roots), "y(1) e(2) a(3)[b(4)[c(5)[d(6)]] f(7)]");
    }

    #[test]
    fn problems_are_warnings_naming_the_file() {
        let mut cs = chain();
        cs.push(Arc::new(c("z", 9, Some("nope"), Status::Approved)));
        let mut other = c("w", 10, Some("a"), Status::Approved);
        other.post_slug = "q".into();
        cs.push(Arc::new(other));
        let mut lost = c("v", 11, None, Status::Approved);
        lost.post_slug = "gone".into();
        cs.push(Arc::new(lost));
        let diags = Diagnostics::new();
        let posts: HashSet<&str> = ["p", "q"].into_iter().collect();
        let (valid, broken) = validate(cs, &posts, &diags);
        assert_eq!((valid.len(), broken), (8, 3));
        let d = diags.into_sorted();
        assert!(d.iter().all(|d| d.severity == crate::diag::Severity::Warning));
        let messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert!(messages.iter().any(|m| m.contains("no post or page has that slug")), "{messages:?}");
        assert!(
            messages.iter().any(|m| m.contains("`reply_to: nope`: no comment has that id")),
            "{messages:?}"
        );
        assert!(messages.iter().any(|m| m.contains("on another post")), "{messages:?}");
    }
}
