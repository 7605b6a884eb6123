//! The moderation corpus: comments we wrote, each labelled with the verdict
//! it must get and the rule that must decide it (or none), covering every
//! rule with cases that trigger it and near-misses that must not. The two
//! real comments of the seed blogs must pass.

use std::collections::HashSet;

use super::*;
use crate::config::{CommentSettings, Moderation, ModerationMode, VerdictSetting};
use crate::parse::comment::{Comment, Status};
use crate::parse::{CommentsMode, PostDate};

/// The situation a comment arrives in.
#[derive(Debug, Clone, Copy)]
enum Setup {
    Open,
    ClosedPost,
    /// The post is 400 days older than the comment; `close_after_days = 365`.
    OldPost,
    MembersPost,
    MembersPostByMember,
    /// An earlier comment on the post has the same author and body.
    RepeatOfEarlier,
    /// `blocked_words = ["casino", "viagra"]`, `hold_words = ["lawyer"]`.
    WordLists,
    /// `link_deny = ["acme.example"]`, `link_allow = ["shop.example"]`.
    DomainLists,
    /// `mode = "auto"`, and the author has never been approved.
    AutoNewAuthor,
    /// `mode = "auto"`, and the author has an approved comment.
    AutoKnownAuthor,
    /// The same client sent a comment 3 seconds ago.
    Flood,
    /// Another author sent `CAMPAIGN` to another post the day before.
    Campaign,
    /// The site has decided enough comments for the filter to learn:
    /// channel promotion as spam, stories about service as approved.
    Learned,
}

struct Case {
    setup: Setup,
    body: &'static str,
    verdict: Verdict,
    /// The rule that must be among the findings; `None`: no findings at all.
    rule: Option<&'static str>,
}

const fn case(setup: Setup, body: &'static str, verdict: Verdict, rule: Option<&'static str>) -> Case {
    Case { setup, body, verdict, rule }
}

use Setup::*;
use Verdict::{Hold, Pass, Reject, Spam};

const ORDINARY: &str = "The agent called me back the next morning, which I did not expect at all.";

#[rustfmt::skip]
const CORPUS: &[Case] = &[
    // --- ordinary comments that pass every rule
    case(Open, ORDINARY, Pass, None),
    case(Open, "I worked a phone line for six years, and the worst calls were the ones where policy tied my hands.", Pass, None),
    case(Open, "Would you still recommend them after the second outage? I am on the fence about renewing.", Pass, None),
    case(Open, "We tried a callback queue at my last job. Complaints about waiting dropped, but nobody measured why.", Pass, None),
    case(Open, "El servicio al cliente de mi banco tardó tres semanas en responder, pero al final resolvieron el problema.", Pass, None),
    case(Open, "Der Kundendienst hat sich sofort entschuldigt und mir das Geld noch am selben Tag zurückerstattet.", Pass, None),
    case(Open, "Le service client a répondu en dix minutes et le remboursement est arrivé le lendemain.", Pass, None),
    case(Open, "Ich finde, dass die Firma den Fehler zu spät zugegeben hat, aber die Lösung war fair.", Pass, None),
    case(Open, "Mi experiencia fue la contraria: nadie me llamó y tuve que ir a la tienda dos veces.", Pass, None),
    case(Open, "😤 Three hours on hold, then the line dropped. Reading this made me feel less alone in that.", Pass, None),
    case(Open, "Honestly the refund matters less to me than being told the truth about what happened.", Pass, None),
    case(Open, "> they actively and willingly solved my problem\n\nThat line is the whole post for me. Scripts never do that.", Pass, None),
    case(Open, "- they listened\n- they apologised\n- they fixed it\n\nThree things, in that order, every time.", Pass, None),
        case(Open, "The `check-by-hand` row is where my team spends most of its week, so this rings true.", Pass, None),
    case(Open, "客服人员当天就给我回了电话，问题第二天就解决了，这种服务很少见。", Pass, None),
    case(Open, "返金の手続きは思ったより早かったです。担当者の説明もわかりやすかった。", Pass, None),
    case(Open, "Поддержка ответила через час и вернула деньги без лишних вопросов.", Pass, None),
    case(Open, "很好", Hold, Some("too_short")),
    case(Open, LONG_WORD, Pass, None),
    // --- too_many_links (default max 1) and near-misses
    case(Open, "Two sources: https://en.wikipedia.org/wiki/Call_centre and https://en.wikipedia.org/wiki/Service_recovery_paradox", Reject, Some("too_many_links")),
    case(Open, "See [this study](https://journal.example.org/2019/05/wait-times) and <https://journal.example.org/2020/01/callbacks> on waiting.", Reject, Some("too_many_links")),
    case(Open, "Read [the first][a] and [the second][b] before deciding.\n\n[a]: https://blog.example.org/2018/02/one\n[b]: https://blog.example.org/2018/03/two", Reject, Some("too_many_links")),
    case(Open, "HTTPS://BLOG.EXAMPLE.ORG/2017/04/HOLD-MUSIC and WWW.BLOG.EXAMPLE.ORG/2017/05/CALLBACKS both argue the same point.", Reject, Some("too_many_links")),
    case(Open, "The same article twice, on purpose: https://blog.example.org/2016/a-story and again https://blog.example.org/2016/a-story", Reject, Some("too_many_links")),
    case(Open, "A related study of service recovery: https://en.wikipedia.org/wiki/Service_recovery_paradox says the same thing.", Pass, None),
    case(Open, "One [article on callbacks](https://blog.example.org/2019/07/10/callbacks-work/) helped me argue for them at work.", Pass, None),
    case(Open, "I looked this up at www dot something but could not find the study anyone cites for it.", Pass, None),
    case(Open, "Mentions of MyPublisher.com and Restaurant.com are names, not links, so they should not count here.", Pass, None),
    // --- generic_praise and near-misses
    case(Open, "Good post", Reject, Some("generic_praise")),
    case(Open, "Great article!!", Reject, Some("generic_praise")),
    case(Open, "nice blog, thanks for sharing", Reject, Some("generic_praise")),
    case(Open, "goooood post 👍", Reject, Some("generic_praise")),
    case(Open, "Nice blog 👍👍", Reject, Some("generic_praise")),
    case(Open, "Hi admin, very informative article, thank you so much for sharing this!", Reject, Some("generic_praise")),
    case(Open, "Hello John. Awesome write-up, keep it up!", Reject, Some("generic_praise")),
    case(Open, "GREAT POST!!! REALLY HELPFUL INFO!!!", Reject, Some("generic_praise")),
    case(Open, "+1 great read", Reject, Some("generic_praise")),
    case(Open, "Thanks for sharing this wonderful information with us, it's really very useful.", Reject, Some("generic_praise")),
    case(Open, "Well done! Excellent job. Bookmarked.", Reject, Some("generic_praise")),
    case(Open, "Good morning everyone, superb article and nice blog.", Reject, Some("generic_praise")),
    case(Open, "Good post. I would add that training matters: new agents need authority, not only scripts.", Pass, None),
    case(Open, "Good post-mortem analysis would have helped them see the billing bug much earlier.", Pass, None),
    case(Open, "Great point about the handoff notes; we do three lines too and it cut our repeat calls.", Pass, None),
    case(Open, "Thanks. I disagree with the second half though: escalation should cost the agent something.", Pass, None),
    case(Open, "Nice try by the airline, but a voucher for a four hour delay is an insult to most travellers.", Pass, None),
    // --- too_short (hold) and near-misses
    case(Open, "Agreed.", Hold, Some("too_short")),
    case(Open, "Not my experience.", Hold, Some("too_short")),
    case(Open, "Same here, sadly", Hold, Some("too_short")),
    case(Open, "🤔🤔", Hold, Some("too_short")),
    case(Open, "Same thing happened to me.", Pass, None),
    case(Open, "Exactly what my bank did.", Pass, None),
    // --- link_promotion and near-misses
    case(Open, "Check out my channel for more stories like this one, I post every week!", Reject, Some("link_promotion")),
    case(Open, "sub 4 sub? I will follow back everyone who comments here", Reject, Some("link_promotion")),
    case(Open, "Visit my blog, it covers the same topic in more depth than anyone else does.", Reject, Some("link_promotion")),
    case(Open, "Follow me for daily customer service tips and tricks that actually work.", Reject, Some("link_promotion")),
    case(Open, "[My story about a refund](https://mystories.example.net/2020/refund-story)", Reject, Some("link_promotion")),
    case(Open, "https://mystories.example.net/2021/03/another-long-article-about-everything wow", Reject, Some("link_promotion")),
    case(Open, "I checked out the store the next day and the manager remembered the whole story.", Pass, None),
    case(Open, "Do you follow up with customers after a complaint is closed, or only when they write again?", Pass, None),
    case(Open, "My channel of choice for complaints is email, because I get a written record of the promises.", Pass, None),
    // --- commercial_link and near-misses
    case(Open, "This happened to me too, their support site is https://www.acmechairs.example/ if anyone wants to complain.", Reject, Some("commercial_link")),
    case(Open, "I found a better chair for less at https://furniture.example/shop/office-chairs after that mess.", Reject, Some("commercial_link")),
    case(Open, "There is a discount for readers here: https://deals.example/coupon?code=SAVE10 if you need a new phone.", Reject, Some("commercial_link")),
    case(Open, "Their own write-up is at https://blog.vendor.example/2020/outage-report?utm_source=newsletter for those curious.", Reject, Some("commercial_link")),
    case(Open, "We moved to the plan at https://hosting.example/pricing after the second outage and never looked back.", Reject, Some("commercial_link")),
    case(DomainLists, "Acme's own explanation is https://news.acme.example/2020/05/what-went-wrong and it is thin.", Reject, Some("commercial_link")),
    case(DomainLists, "The maker explains the return process at https://shop.example/ and it is fair, honestly.", Pass, None),
    case(Open, "The Wikipedia article https://en.wikipedia.org/wiki/Customer_service has a decent history section.", Pass, None),
    case(Open, "A longer account is on my blog: https://notes.example.org/2012/03/14/the-wardrobe-that-arrived-twice/ if useful.", Pass, None),
    case(Open, "Background on the law here: https://xn--verbraucherschtz-szb.example/artikel/widerrufsrecht explains refunds.", Pass, None),
    // --- blocked_words (spam) / hold_words (hold) and near-misses
    case(WordLists, "Best online casino bonuses are waiting for every reader who clicks through today.", Spam, Some("blocked_words")),
    case(WordLists, "CASINO nights aside, the staff there were kind to my mother on the phone.", Spam, Some("blocked_words")),
    case(WordLists, "I talked to a lawyer about the double charge, and she said to write to them first.", Hold, Some("hold_words")),
    case(WordLists, "The occasional caller was rude, but most were patient with the new system.", Pass, None),
    case(WordLists, "My lawyerly friend says the contract terms were probably unenforceable anyway.", Pass, None),
    // --- keyword_stuffing (spam) and near-misses
    case(Open, "gaslight justin timberlake michael dyer bachmann bachmann iowa caucus results sickle cell trait", Spam, Some("keyword_stuffing")),
    case(Open, "cheap loans payday loans fast loans best loans online instant approval", Spam, Some("keyword_stuffing")),
    case(Open, "Good story.\n\nrefund refund chargeback dispute bank credit card fraud claim win money fast", Spam, Some("keyword_stuffing")),
    case(Open, "customer service tips customer service training customer service jobs customer service skills", Spam, Some("keyword_stuffing")),
        case(Open, "billing error overcharge refund delay callback apology voucher upgrade compensation complaint escalation", Pass, None),
    case(Open, "refund apology voucher refund upgrade compensation refund complaint escalation hotline", Spam, Some("keyword_stuffing")),
    case(Open, "The refund took three weeks, and the bank blamed the shop while the shop blamed the bank.", Pass, None),
    case(Open, "La tienda dijo que el reembolso era imposible, pero el banco me devolvió el dinero en dos días.", Pass, None),
    case(Open, "Die Rückerstattung kam nach drei Wochen, und der Händler hat sich nicht einmal entschuldigt.", Pass, None),
    case(Open, "Refunds, returns, exchanges: we handled all three badly until we wrote them down.", Pass, None),
    // --- too_long
    case(Open, LONG, Reject, Some("too_long")),
    // --- comments_closed and near-miss
    case(ClosedPost, ORDINARY, Reject, Some("comments_closed")),
    case(OldPost, ORDINARY, Reject, Some("comments_closed")),
    case(ClosedPost, "Good post", Reject, Some("comments_closed")),
    // --- members_only and near-miss
    case(MembersPost, ORDINARY, Reject, Some("members_only")),
    case(MembersPostByMember, ORDINARY, Pass, None),
    // --- duplicate and near-miss
    case(RepeatOfEarlier, "Posting again because I am not sure the first one went through: same story here.", Reject, Some("duplicate")),
    case(RepeatOfEarlier, "A different comment from the same person is fine, even right after the first one.", Pass, None),
    // --- first_comment (auto mode) and near-miss
    case(AutoNewAuthor, ORDINARY, Hold, Some("first_comment")),
    case(AutoKnownAuthor, ORDINARY, Pass, None),
    // --- flood (intake) and the strongest verdict winning
    case(Flood, ORDINARY, Reject, Some("flood")),
    case(WordLists, "Good post, and the casino link below is great too.", Spam, Some("blocked_words")),
    case(Open, "cheap loans payday loans fast loans https://loans.example/ https://loans.example/apply", Spam, Some("keyword_stuffing")),
    case(Open, "Nice blog https://cheap.example/shop", Reject, Some("commercial_link")),
    case(Open, "Nice blog https://cheap.example/shop", Reject, Some("generic_praise")),
    // --- money_offer (spam) and near-misses
    case(Open, "GET PAID UP TO $30 AN HOUR working from home, click here to start today", Spam, Some("money_offer")),
    case(Open, "free $25 amazon gift card codes for the first hundred people who ask", Spam, Some("money_offer")),
    case(Open, "Gana dinero desde casa con tu celular, es muy facil y rapido de verdad", Spam, Some("money_offer")),
    case(Open, "They charged me $35 an hour for a technician who never came, then refused a refund.", Pass, None),
    case(Open, "I work from home for a call centre and the headset they sent me broke in a week.", Pass, None),
    // --- share_bait (spam) and near-misses
    case(Open, "Check out this video on YouTube: the best prank of the year", Spam, Some("share_bait")),
    case(Open, "like this comment if you are still reading this in 2020 lol", Spam, Some("share_bait")),
    case(Open, "Who else is reading this in 2024? The refund rules have not changed at all.", Pass, None),
    case(Open, "I shared this with my team lead because we have the very same problem with refunds.", Pass, None),
    // --- link_shortener (spam) and near-miss
    case(Open, "Full story here, you will not believe what happened next: https://bit.ly/3abcXYZ", Spam, Some("link_shortener")),
    case(Open, "The regulator explains the rules at https://www.consumer.example/guides/refunds for anyone curious.", Pass, None),
    // --- cloaked_link (spam) and near-misses
    case(Open, "Get the same deal at cheapfones dot com before it ends, trust me on this one.", Spam, Some("cloaked_link")),
    case(Open, "[www.paypal.com](http://pay-verify.example/login) needs you to confirm your account today.", Spam, Some("cloaked_link")),
    case(Open, "Back in the dot com days nobody answered support email at all, so this is progress.", Pass, None),
    // --- pasted_markup (hold, or spam for symbol walls) and near-misses
    case(Open, "My bank did the same thing last year<br />they refunded my card&#39;s fee after a month.", Hold, Some("pasted_markup")),
    case(Open, "╔══════════════╗\n║  SUBSCRIBE  ║\n╚══════════════╝", Spam, Some("pasted_markup")),
    case(Open, "The reset form had a stray `<br>` in its label and `&quot;` in the button, which is sloppy.", Pass, None),
    // --- duplicate across authors and posts (reject) and near-miss
    case(Campaign, CAMPAIGN, Reject, Some("duplicate")),
    case(Campaign, "Our support queue tripled during the outage, and nobody told the agents what to say to callers.", Pass, None),
    // --- learned (hold or spam by score) and near-miss
    case(Learned, "great vibes in here, everyone go give my beats a spin tonight", Spam, Some("learned")),
    case(Learned, "The agent called me back about the refund the next morning, which was kind.", Pass, None),
];

/// A campaign: sent the day before by someone else, on another post.
const CAMPAIGN: &str =
    "Honestly the best way to pay your bills is the side job my neighbour showed me last spring.";

/// A history with `CAMPAIGN` from another author on another post.
fn campaign_history() -> &'static History {
    static HISTORY: std::sync::OnceLock<History> = std::sync::OnceLock::new();
    HISTORY.get_or_init(|| {
        let mut earlier = comment("c0", &CAMPAIGN.replace("Honestly", "Truly"));
        earlier.author = "Someone Else".into();
        earlier.post_slug = "another-post".into();
        earlier.date = date("2020-06-01T10:00:00Z");
        History::of(&[earlier], &Moderation::default())
    })
}

/// A history whose filter learned from 40 decisions of each kind.
fn learned_history() -> &'static History {
    static HISTORY: std::sync::OnceLock<History> = std::sync::OnceLock::new();
    HISTORY.get_or_init(|| {
        let mut decided = Vec::new();
        for i in 0..40 {
            let mut spam = comment(
                &format!("s{i}"),
                &format!("yo check my beats, give them a spin on my page {i} vibes"),
            );
            spam.status = Status::Spam;
            spam.author = format!("Beats {i}");
            let mut ham = comment(
                &format!("h{i}"),
                &format!("The agent called back about the refund on day {i}, which helped."),
            );
            ham.status = Status::Approved;
            ham.author = format!("Reader {i}");
            decided.push(spam);
            decided.push(ham);
        }
        History::of(&decided, &Moderation::default())
    })
}

const LONG: &str = include_str!("tests_long_comment.txt");

/// A normal sentence around one very long word.
const LONG_WORD: &str = "They wrote the error code as Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa4 in the ticket, and nobody could read it back to me.";

const REPEATED: &str = "Posting again because I am not sure the first one went through: same story here.";

fn date(s: &str) -> PostDate {
    PostDate::parse(s).unwrap()
}

fn comment(id: &str, body: &str) -> Comment {
    Comment {
        path: format!("content/comments/p/{id}.md").into(),
        post_slug: "p".into(),
        id: id.into(),
        author: "Robin".into(),
        email: Some("robin@example.org".into()),
        website: None,
        date: date("2020-06-02T10:00:00Z"),
        reply_to: None,
        member: false,
        status: Status::Pending,
        moderation: None,
        body: body.into(),
        reply_to_line: 1,
        html: String::new(),
        fingerprint: 0,
    }
}

fn run(setup: Setup, body: &str) -> Evaluation {
    let mut settings = Moderation::default();
    let mut comment_settings = CommentSettings::default();
    let mut post = PostFacts { comments: CommentsMode::Open, date: Some(date("2020-06-01T09:00:00Z")) };
    let mut c = comment("c2", body);
    let mut known = HashSet::new();
    let mut flood = None;
    let earlier = comment("c1", REPEATED);
    let mut siblings: Vec<&Comment> = Vec::new();
    match setup {
        Open => {}
        ClosedPost => post.comments = CommentsMode::Closed,
        OldPost => {
            post.date = Some(date("2019-04-29T09:00:00Z"));
            comment_settings.close_after_days = 365;
        }
        MembersPost => post.comments = CommentsMode::Members,
        MembersPostByMember => {
            post.comments = CommentsMode::Members;
            c.member = true;
        }
        RepeatOfEarlier => siblings.push(&earlier),
        WordLists => {
            settings.blocked_words = vec!["casino".into(), "viagra".into()];
            settings.hold_words = vec!["lawyer".into()];
        }
        DomainLists => {
            settings.link_deny = vec!["acme.example".into()];
            settings.link_allow = vec!["shop.example".into()];
        }
        AutoNewAuthor => settings.mode = ModerationMode::Auto,
        AutoKnownAuthor => {
            settings.mode = ModerationMode::Auto;
            known.insert(author_key(&c));
        }
        Flood => flood = Some(3),
        Campaign | Learned => {}
    }
    let history = match setup {
        Campaign => campaign_history(),
        Learned => learned_history(),
        _ => History::empty(),
    };
    let cx = Context {
        comment: &c,
        post,
        settings: &settings,
        comment_settings: &comment_settings,
        siblings: &siblings,
        known_authors: &known,
        seconds_since_last_from_client: flood,
        arriving: false,
        history,
    };
    evaluate(&cx)
}

#[test]
fn the_corpus_gets_its_labels() {
    assert!(CORPUS.len() >= 80, "the corpus has {} comments", CORPUS.len());
    let mut failures = Vec::new();
    for (i, case) in CORPUS.iter().enumerate() {
        let eval = run(case.setup, case.body);
        let findings: Vec<&str> = eval.findings().map(|r| r.code).collect();
        let rule_ok = match case.rule {
            Some(rule) => findings.contains(&rule),
            None => findings.is_empty(),
        };
        if eval.verdict != case.verdict || !rule_ok {
            failures.push(format!(
                "#{i} {:?} {:?}: expected {:?} by {:?}, got {:?} by {findings:?}",
                case.setup, case.body, case.verdict, case.rule, eval.verdict
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CORPUS.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_is_covered_by_the_corpus() {
    for code in rule_codes() {
        assert!(CORPUS.iter().any(|c| c.rule == Some(code)), "no case triggers `{code}`");
    }
    for rule in rules() {
        assert!(!rule.describe().is_empty());
    }
}

#[test]
fn findings_point_at_what_they_found() {
    let body = "See https://a.example.org/2020/x and https://b.example.org/2021/y today.";
    let eval = run(Open, body);
    let links = eval.results.iter().find(|r| r.code == "too_many_links").unwrap();
    let found: Vec<&str> = links.check.spans.iter().map(|s| &body[s.clone()]).collect();
    assert_eq!(found, ["https://a.example.org/2020/x", "https://b.example.org/2021/y"]);
    assert_eq!(links.check.message, "2 links; the policy allows at most 1");
}

#[test]
fn a_rule_can_be_softened_or_turned_off() {
    let body = "Two studies changed my mind on callbacks: https://a.example.org/2020/x and https://b.example.org/2021/y are both worth reading.";
    let mut settings = Moderation::default();
    settings.verdicts.insert("too_many_links".into(), VerdictSetting::Hold);
    let c = comment("c9", body);
    let cs = CommentSettings::default();
    let known = HashSet::new();
    let post = PostFacts { comments: CommentsMode::Open, date: Some(date("2020-01-01")) };
    let eval = |s: &Moderation| {
        evaluate(&Context {
            comment: &c,
            post,
            settings: s,
            comment_settings: &cs,
            siblings: &[],
            known_authors: &known,
            seconds_since_last_from_client: None,
            arriving: false,
            history: History::empty(),
        })
    };
    assert_eq!(eval(&settings).verdict, Verdict::Hold, "WordPress behaviour: links hold");
    settings.verdicts.insert("too_many_links".into(), VerdictSetting::Off);
    let eval = eval(&settings);
    assert_eq!(eval.verdict, Verdict::Pass);
    assert_eq!(eval.results.iter().find(|r| r.code == "too_many_links").unwrap().verdict, None);
}

#[test]
fn applying_a_verdict_depends_on_the_mode() {
    let pass = run(Open, ORDINARY);
    assert_eq!(pass.status(ModerationMode::Hold), Status::Pending);
    assert_eq!(pass.status(ModerationMode::Auto), Status::Approved);
    assert_eq!(run(Open, "Good post").status(ModerationMode::Auto), Status::Rejected);
    assert_eq!(run(Open, "Agreed.").status(ModerationMode::Auto), Status::Pending);
}

#[test]
fn the_content_verdict_ignores_how_a_comment_arrived() {
    let eval = run(ClosedPost, ORDINARY);
    assert_eq!((eval.verdict, eval.content_verdict()), (Verdict::Reject, Verdict::Pass));
    let eval = run(ClosedPost, "Good post");
    assert_eq!(eval.content_verdict(), Verdict::Reject);
}

#[test]
fn moderation_is_deterministic() {
    for case in CORPUS {
        assert_eq!(run(case.setup, case.body), run(case.setup, case.body));
    }
}

/// The real comments of the seed blogs, read from `../shared/seeds/`.
fn seed_comment(prefix: &str, after: &str, before: Option<&str>) -> Option<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    let entries = std::fs::read_dir(&dir).ok()?;
    let path = entries
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(prefix)))?;
    let text = std::fs::read_to_string(path).ok()?;
    let start = text.find(after)? + after.len();
    let rest = &text[start..];
    let end = before.and_then(|b| rest.find(b)).unwrap_or(rest.len());
    let body = rest[..end].trim().trim_start_matches("1.").trim();
    // Paragraphs in the seeds are indented lines; Markdown wants them flush.
    Some(body.lines().map(str::trim).collect::<Vec<_>>().join("\n"))
}

#[test]
fn the_seed_blogs_real_comments_pass() {
    let seeds = [("001_", "One Comment:", Some("Comments are closed")), ("004_", "Anonymous said...", None)];
    let mut checked = 0;
    for (prefix, after, before) in seeds {
        let Some(body) = seed_comment(prefix, after, before) else {
            // shared/ sits beside the repository in CI and in our sessions;
            // a clone on its own has no seeds to read.
            assert!(std::env::var_os("CI").is_none(), "seed {prefix} not found under ../shared/seeds");
            eprintln!("seed {prefix} not found under ../shared/seeds: skipped");
            continue;
        };
        assert!(body.len() > 300, "{prefix}: {body}");
        let eval = run(Open, &body);
        let findings: Vec<(&str, &str)> =
            eval.findings().map(|r| (r.code, r.check.message.as_ref())).collect();
        assert_eq!(eval.verdict, Verdict::Pass, "{prefix}: {findings:?}\n{body}");
        checked += 1;
    }
    if std::env::var_os("CI").is_some() {
        assert_eq!(checked, 2);
    }
}

#[test]
fn an_unknown_rule_in_the_verdicts_is_an_error_at_its_line() {
    let diags = crate::diag::Diagnostics::new();
    let text = "title = \"T\"\nbase_url = \"https://x.org\"\n[moderation.verdicts]\ntoo_shrt = \"hold\"\n";
    let config = crate::config::Config::parse(text, &diags).unwrap();
    let problems = settings_problems(&config);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].message, "unknown rule `too_shrt` in `[moderation.verdicts]`");
    assert_eq!(problems[0].location.as_ref().unwrap().line, 4);
    assert!(problems[0].help.as_deref().unwrap().contains("too_short"), "{problems:?}");
}

/// Found in review: ids are unique within a post only. A comment whose id
/// another post's later comment shares is not "arriving": a later copy of
/// its text is not an earlier one.
#[test]
fn a_later_copy_is_not_earlier_when_another_post_shares_the_id() {
    let mut first = comment("c1", CAMPAIGN);
    first.post_slug = "post-a".into();
    first.date = date("2020-01-01T10:00:00Z");
    let mut copy = comment("c2", &CAMPAIGN.replace("Honestly", "Truly"));
    (copy.post_slug, copy.author, copy.date) = ("post-b".into(), "Bob".into(), date("2021-01-01T10:00:00Z"));
    let mut same_id = comment("c1", "Nothing alike: the queue moved quickly and the agent was kind to me.");
    (same_id.post_slug, same_id.author, same_id.date) =
        ("post-b".into(), "Carl".into(), date("2022-01-01T10:00:00Z"));
    let history = History::of(&[first.clone(), copy.clone(), same_id], &Moderation::default());
    let body = |c: &Comment| Body::of(&c.body, &Moderation::default());
    let b = body(&first);
    assert!(history.earlier_copies(&first, &b.normalized, &b.links, false).is_empty());
    let b = body(&copy);
    assert_eq!(
        history.earlier_copies(&copy, &b.normalized, &b.links, false).len(),
        1,
        "the first is earlier"
    );
}
