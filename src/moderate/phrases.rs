//! The phrases of each family of comment spam, as they are spelled after
//! `normalize` (lower case, no accents, look-alikes and leetspeak undone):
//! English, and the Spanish, Portuguese and French forms of the same calls.
//!
//! A family has strong phrases, any one of which marks a comment, and weak
//! ones, which mark it only together (two different ones) or, where the
//! family says so, with a link. A site adds plain phrases of its own
//! (`[moderation] promotion_phrases`, ...), which count as strong.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use super::normalize::Normalized;

/// The families of phrases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    Promotion,
    Money,
    Bait,
}

const FAMILIES: [Family; 3] = [Family::Promotion, Family::Money, Family::Bait];

impl Family {
    fn phrases(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Family::Promotion => (PROMOTION_STRONG, PROMOTION_WEAK),
            Family::Money => (MONEY_STRONG, MONEY_WEAK),
            Family::Bait => (BAIT_STRONG, BAIT_WEAK),
        }
    }
}

/// Every family's phrases compiled: one automaton over all of them, so
/// that a comment with none (most) is read once, and each phrase alone,
/// for the spans. The automaton runs without a literal prefilter and with
/// a lazy DFA cache big enough for all the phrases: the phrases begin with
/// common words (`my`, `check`, `free`), so a prefilter would stop at
/// nearly every word, and a small cache would be cleared over and over
/// until the search fell back to a far slower engine.
struct Compiled {
    all: regex_automata::meta::Regex,
    each: Vec<Regex>,
    /// For each family, where its phrases start in `each` and how many of
    /// them are strong.
    families: [(Range<usize>, usize); 3],
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let mut patterns: Vec<String> = Vec::new();
        let families = FAMILIES.map(|family| {
            let (strong, weak) = family.phrases();
            let start = patterns.len();
            patterns.extend(strong.iter().chain(weak).map(|p| ascii_boundaries(p)));
            (start..patterns.len(), strong.len())
        });
        let each = patterns.iter().map(|p| Regex::new(p).expect("valid family regex")).collect();
        let config = regex_automata::meta::Config::new()
            .match_kind(regex_automata::MatchKind::All)
            .auto_prefilter(false)
            .hybrid_cache_capacity(32 << 20);
        let all = regex_automata::meta::Builder::new()
            .configure(config)
            .build_many(&patterns)
            .expect("valid family regex set");
        Compiled { all, each, families }
    })
}

/// What a family found in one comment.
#[derive(Debug, Default)]
pub(super) struct Found {
    /// Spans in the normal form, with the phrase as written there.
    pub strong: Vec<Range<usize>>,
    /// One span per weak phrase that matched (each phrase once).
    pub weak: Vec<Range<usize>>,
}

impl Found {
    /// The first phrase found, strong before weak.
    pub(super) fn first(&self) -> Option<&Range<usize>> {
        self.strong.first().or_else(|| self.weak.first())
    }
}

/// Each family's phrases in `text` (a normal form), with the site's own
/// phrases of each (`extra`, in `FAMILIES` order) as strong ones.
pub(super) struct Phrases {
    found: [Found; 3],
}

impl Phrases {
    pub(super) fn find(text: &str, extra: [&[String]; 3]) -> Phrases {
        let c = compiled();
        // Which phrases matched takes a slower search than whether any did,
        // and most comments hold none.
        let mut matched = regex_automata::PatternSet::new(c.each.len());
        if c.all.is_match(text) {
            c.all.which_overlapping_matches(&regex_automata::Input::new(text), &mut matched);
        }
        let found = std::array::from_fn(|i| {
            let (phrases, strong) = (c.families[i].0.clone(), c.families[i].1);
            let mut found = Found::default();
            found.strong.extend(extra[i].iter().flat_map(|phrase| find_phrase(text, phrase)));
            let ours = || phrases.clone().filter(|&p| matched.contains(regex_automata::PatternID::must(p)));
            for p in ours().filter(|&p| p - phrases.start < strong) {
                found.strong.extend(c.each[p].find_iter(text).map(|m| m.range()));
            }
            // Weak phrases matter only where no strong one decided.
            if found.strong.is_empty() {
                for p in ours().filter(|&p| p - phrases.start >= strong) {
                    if let Some(m) = c.each[p].find(text) {
                        found.weak.push(m.range());
                    }
                }
            }
            found.strong.sort_by_key(|r| r.start);
            found
        });
        Phrases { found }
    }

    pub(super) fn of(&self, family: Family) -> &Found {
        &self.found[FAMILIES.iter().position(|f| *f == family).unwrap_or(0)]
    }
}

/// `\b` as an ASCII word boundary: the normal form is almost all ASCII, and
/// the fast regex engines handle only ASCII boundaries.
fn ascii_boundaries(pattern: &str) -> String {
    pattern.replace(r"\b", r"(?-u:\b)")
}

/// Every place a site's phrase stands in `text` as whole words, both in
/// their normal form.
fn find_phrase(text: &str, phrase: &str) -> Vec<Range<usize>> {
    let needle = Normalized::of(phrase.trim()).text;
    if needle.trim().is_empty() {
        return Vec::new();
    }
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    text.match_indices(needle.as_str())
        .map(|(at, m)| at..at + m.len())
        .filter(|r| !word(text[..r.start].chars().next_back()) && !word(text[r.end..].chars().next()))
        .collect()
}

/// What a commenter may promote as their own, in a call to act on it.
macro_rules! own_things {
    () => {
        r"(?:chann?e?ll?s?|videos?|vids?|vlogs?|music|songs?|tracks?|mixtape|mixes|beats?|raps?|covers?|album|ep|page|profile|blog|website|site|instagram|insta|ig|twitter|tiktok|youtube|yt|soundcloud|spotify|twitch|streams?|podcast|playlist|band|art|artwork|drawings?|gameplay|shop|stuff|content|new\s+video|latest\s+video|fan\s*page|server|discord|game|app|poems?|book)"
    };
}

/// Verbs of a call to act, misspellings included.
macro_rules! calls {
    () => {
        r"(?:check|chek|chk|checkout|look|go|come|visit|see|watch|view|listen|hear|support|rate|share|join|find|stop\s+by|drop\s+by|pass\s+by|hop\s+on|head\s+over|click|subscribe|subcribe|suscribe|subscibe|subsribe|sub|follow|like|play|try|download|stream)"
    };
}

#[rustfmt::skip]
const PROMOTION_STRONG: &[&str] = &[
    r"\b(?:sub|subs|subscribe|subcribe|suscribe|subscrib|subscibe)\s*(?:to\s+|2\s*)?me\b",
    r"\bfollow\s+me\s+(?:on|at|@|for|back|pls|please|plz|and|guys)\b",
    r"\bsub\s*(?:4|for|four|a|2|x|por)\s*sub\b",
    r"\b(?:s4s|f4f|l4l|sub\s*back|follow\s*(?:4|for)\s*follow|sub\s+for\s+sub)\b",
    r"(?:check|visit|sub|subscribe|watch)(?:out)?(?:to)?my(?:channel|chanel|page|music|videos?|vids)",
    r"\b(?:my|our)\s+(?:(?:new|own|official|youtube|yt|music|gaming|little|small|first|latest|tiny|rap|cover|dance|vlog|comedy|art)\s+){1,3}(?:chann?e?ll?)\b",
    r"\b(?:my|our)\s+(?:(?:new|own|official|youtube|yt|music|gaming|little|small|first|latest|tiny|rap|cover|dance|vlog|comedy|art)\s+){0,3}(?:vlogs?|mixtape|soundcloud|podcast|fan\s*page|playlist|beats)\b",
    concat!(r"\b", calls!(), r"\b[^.!?\n]{0,20}?\b(?:my|our|me\s+on|me\s+at)\b[^.!?\n]{0,25}?\b", own_things!(), r"\b"),
    concat!(r"\b", calls!(), r"\s+(?:\w+\s+)?(?:my|our)\s+", own_things!(), r"\b"),
    r"\b(?:help\s+me|road\s+to|trying\s+to\s+(?:get|reach|hit)|goal\s+(?:is|of)|llegar\s+a|chegar\s+a|atteindre)\b[^.!?\n]{0,30}?\b\d+[k]?\s*(?:subs|subscribers|followers|views|likes|suscriptores|seguidores|inscritos|abonnes)\b",
    r"\bsearch(?:ed)?\s+(?:for\s+)?(?:me|my\s+name|us|my\s+channel)\b",
    r"\b(?:search|look\s+up|type|busquen|busca|buscame|busquenme|pesquisem|pesquisa|procurem|procura|tapez|cherchez|recherchez)\b[^.!?\n]{0,40}?\b(?:on|in|en|no|na|sur|dans)\s+(?:the\s+)?(?:youtube|yt|spotify|soundcloud|itunes|apple\s+music|tiktok|bandcamp|play\s*store|app\s*store|google\s+play|insta|instagram)\b",
    r"\bmy\s+(?:youtube|yt|soundcloud|spotify|twitch|tiktok|instagram|insta|ig)\s*(?:channel|page|account|name)?\s*(?:is|:|@|-)\s*@?[a-z0-9_.]{3,}",
    r"\b(?:i'?m|i\s+am|im)\s+(?:a|an)\s+(?:(?:\d+\s*(?:year|yr)s?\s*old|young|small|new|aspiring|upcoming|up\s+and\s+coming|independent|unsigned|struggling|indie|local|teen|teenage|beginner)\s+)+(?:singer|rapper|artist|youtuber|producer|musician|gamer|creator|content\s+creator|vlogger|streamer|songwriter|dancer|band|dj|mc|beatmaker|channel)\b[^\n]{0,300}?\b(?:check|listen|watch|subscribe|sub|follow|support|search|visit|give|hear|share|link|channel|page)\b",
    r"\bjoin\s+(?:our|my)\s+(?:\w+\s+)?(?:server|discord|group|community|clan|guild|team\s+on)\b",
    r"\b(?:i|we)\s+(?:also\s+)?(?:run|own|offer|started|sell|make)\s+(?:a|an|my|our)\s+(?:\w+\s+){0,3}(?:service|business|company|shop|store|agency|brand)\b[^.!?\n]{0,40}\b(?:visit|call|contact|check|dm|email|at)\b",
    // Spanish
    r"\b(?:suscribete|suscribanse|suscribase|suscribirte|suscribirse|subscribete|suscribance|suscriban)\b",
    r"\b(?:mi|nuestro)\s+(?:nuevo\s+|pequeno\s+|humilde\s+)?canal\b",
    r"\b(?:sigueme|siganme|me\s+sigan|seguime|siganos)\b",
    r"\b(?:visita|visiten|visitad|pasate|pasen|pasense|pasa|miren|mira|vean|chequen|checa|checen|escuchen|escucha|apoyen|apoya)\b[^.!?\n]{0,20}?\b(?:mi|mis|nuestro|nuestra|nuestros)\b[^.!?\n]{0,15}?\b(?:canal|videos?|musica|pagina|perfil|cancion|canciones|tema|temas|disco|juego)\b",
    // Portuguese
    r"\b(?:inscreva-?se|inscrevam-?se|increva-?se|inscreve-?te|se\s+inscreve[mr]?|se\s+inscrevam|se\s+escreve[mr]?|se\s+escrevam|escrevam-?se|se\s+increve[mr]?)\b",
    r"\b(?:meu|nosso)\s+(?:novo\s+|pequeno\s+)?canal\b",
    r"\b(?:segue-?me|me\s+sigam?|sigam-?me|me\s+segue[m]?)\b",
    r"\b(?:passa|passem|passe|visite|visitem|confira|confiram|olhem|olha|vejam|veja|escutem|escuta|oucam|ouca|deem\s+uma\s+olhada|da\s+uma\s+olhada)\b[^.!?\n]{0,20}?\b(?:meu|minha|meus|minhas|nosso|nossa|nossos)\b[^.!?\n]{0,15}?\b(?:canal|videos?|musicas?|pagina|perfil|clipe|som|sons|disco|jogo)\b",
    // French
    r"\b(?:abonne[zs]?-?(?:vous|toi)|abonnez|abonne\s+toi|abonnez\s+vous)\b",
    r"\b(?:ma|notre)\s+(?:nouvelle\s+|petite\s+)?chaine\b",
    r"\b(?:suivez-?moi|suis-?moi|suivez\s+moi)\b",
    r"\b(?:allez|venez|passez|regardez|ecoutez|visitez|jetez\s+un\s+oeil)\b[^.!?\n]{0,20}?\b(?:ma|mon|mes|notre|nos)\b[^.!?\n]{0,15}?\b(?:chaine|videos?|musiques?|page|profil|clips?|sons?|ep|album|compte|insta|instagram|tiktok|youtube|jeu)\b",
    r"\baidez[- ]moi\s+a\s+(?:atteindre|avoir|arriver)\b",
];

#[rustfmt::skip]
const PROMOTION_WEAK: &[&str] = &[
    r"\b(?:please|pl[sz]+|plox|pleas|can\s+you|could\s+you|would\s+you|everyone|everybody|guys|ppl|people|y'?all|ya'?ll)\b[^.!?\n]{0,15}?\b(?:sub|subscribe|subcribe|suscribe|check\s+(?:it|me)\s+out|give\s+(?:it|me)\s+a\s+(?:listen|chance|try|look)|share\s+it)\b",
    r"\b(?:new\s+video|video\s+is\s+up|just\s+uploaded|uploaded\s+(?:a\s+)?new|my\s+latest|dropped\s+(?:a|my)\s+new|new\s+(?:song|track|single|cover|mixtape|ep|album|beat|mix|episode|vlog)\s+(?:is\s+)?(?:up|out|dropped|today|now))\b",
    r"\b(?:subscribers|subs|followers|suscriptores|inscritos|abonnes|seguidores)\b",
    r"\bthank\s+(?:you|u)\s+(?:so\s+much\s+)?(?:for\s+)?(?:subscribing|the\s+support|supporting)\b",
    r"\bgive\s+(?:it|me|my\s+\w+|them|us)\s+a\s+(?:listen|chance|look|try|shot)\b",
    r"\bsmall\s+(?:youtuber|creator|channel|artist|streamer|musician|band)\b",
    r"\bmy\s+(?:instagram|insta|ig|twitter|tiktok|spotify|youtube|yt|twitch|facebook|fb|snapchat|snap)\b",
    r"(?:^|\s)@[a-z0-9_.]{3,}",
    r"\bsupport\s+(?:me|us|a\s+small|small|the\s+channel|my)\b",
    r"\b(?:my|our)\s+(?:chann?e?ll?s?)\b",
    r"\b(?:i\s+make|i\s+upload|i\s+post|i\s+do|i\s+stream|i\s+drop|we\s+post|we\s+make|we\s+upload)\s+(?:\w+\s+){0,2}(?:music|songs|covers|beats|videos|vlogs|raps|gaming|game\s*play|mixes|drawings|art)\b",
    r"\b(?:youtube|yt|spotify|soundcloud|itunes|tiktok|twitch|bandcamp)\b",
    r"\b(?:my\s+dream|dream\s+is|it\s+would\s+mean\s+(?:a\s+lot|the\s+world|everything)|means\s+a\s+lot|would\s+love\s+it\s+if|so\s+grateful\s+if|appreciate\s+it\s+if)\b",
    r"\b(?:stop|stopped|drop|dropped|pop|swing)\s+by\b",
    r"\bgo\s+(?:look|see|check|watch|listen)\b",
    r"\b(?:watch|stream|listen\s+to|play|download)\s+it\b",
    r"\bcome\s+(?:hang\s+out|chill|join|say\s+hi|listen|watch)\b",
    r"\b(?:twitch|tiktok|insta|ig|youtube|channel|discord)\s+(?:name|handle|username|tag|is)\b",
    r"\b(?:our|my)\s+(?:whole\s+|new\s+|first\s+|debut\s+|own\s+|indie\s+|little\s+)+(?:\w+\s+)?(?:album|ep|mixtape|single|game|app|book|songs|music|beats)\b",
    r"\b(?:get|download|play|grab|stream)\s+it\s+(?:at|on|from|here|free|now|everywhere)\b",
    r"\bvisit\s+(?:us\s+at\s+|our\s+site\s+|my\s+site\s+)?(?:https?|www|[a-z0-9-]+\.[a-z]{2,})",
    r"\b(?:i|we)\s+(?:also\s+)?(?:run|own|started)\s+(?:a|an|my|our)\s+(?:\w+\s+){0,3}(?:service|business|company|shop|store|agency|brand|channel|blog)\b",
    r"\bhit\s+(?:the|that)\s+bell\b",
    r"\bclick\s+(?:here|this\s+link|the\s+link|my\s+link)\b",
    r"\b(?:subscribe|sub|follow)\s+(?:here|now|today|pls|please|plz)\b",
    r"\bi\s+(?:filmed|recorded|drew|edited|made\s+a\s+video)\b",
    r"\b(?:new|latest)\s+(?:cover|song|track|single|video|mix|episode)\b",
    r"[\u{1F449}\u{1F448}\u{27A1}\u{2B07}\u{1F447}]",
];

#[rustfmt::skip]
const MONEY_STRONG: &[&str] = &[
    r"\b(?:make|making|earn|earning|made|earned|get|getting|got|generate)\s+(?:real\s+|extra\s+|easy\s+|fast\s+|quick\s+|free\s+|some\s+|good\s+|big\s+|serious\s+)*(?:money|cash|income|bucks|dollars|profits?)\s+(?:online|from\s+home|at\s+home|from\s+(?:your|my|ur)\s+(?:phone|laptop|computer|couch|bed|home)|while\s+\w+ing|fast|quickly|easily|daily|every\s+day|in\s+(?:your|my)\s+spare\s+time|with\s+(?:this|my|our|your\s+phone))\b",
    r"\bfree\s+(?:[$€£]?\s?\d+\s*[$€£]?\s*)?(?:itunes|amazon|steam|psn|playstation|xbox|google\s+play|gift|visa|paypal|walmart|target|netflix|roblox|fortnite|apple|ebay|starbucks|app\s+store)\b[^.!?\n]{0,20}?\b(?:gift\s*cards?|cards?|codes?|credits?|money|vouchers?)\b",
    r"\bfree\s+(?:gift\s*cards?|robux|v-?bucks|vbucks|coins|gems|diamonds|skins|iphones?|ipads?|psn\s+codes|xbox\s+codes|steam\s+codes|money|cash|vouchers?)\b",
    r"\b(?:win|won|winner|been\s+selected|selected\s+to|claim|claiming|free|gratis|gratuit\w*|receive)\b[^.!?\n]{0,40}\b(?:gift\s*cards?|vouchers?|tarjetas?\s+de\s+regalo|cartes?\s+cadeaux?|cart[oa]es?\s+(?:de\s+)?presente|iphone|ipad|macbook|ps5|playstation\s*5)\b",
    r"\b(?:gift\s*cards?|vouchers?|tarjetas?\s+de\s+regalo|cartes?\s+cadeaux?|cart[oa]es?\s+(?:de\s+)?presente)\b[^.!?\n]{0,40}\b(?:free|gratis|gratuit\w*|claim|win)\b",
    r"\b(?:robux|v-?bucks|vbucks|gems|coins)\s+(?:generator|gen|hack|for\s+free|gratis|gratuit\w*|free)\b",
    r"\b(?:double|triple)\s+(?:your|ur)\s+(?:bitcoin|btc|crypto|money|investment|income|eth)\b",
    r"\b(?:send|transfer)\s+(?:\d[\d.,]*\s*)?(?:btc|eth|bitcoin|ethereum|usdt|crypto)\b",
    r"\b(?:btc|eth|bitcoin|ethereum|crypto|usdt)\s+(?:doubling|giveaway|double|airdrop)\b",
    r"\bdoubl(?:e|ing)\s+(?:giveaway|event|promo)\b",
    r"\brecover(?:ed|ing)?\s+(?:my|your|all\s+my|lost)\s+(?:lost\s+)?(?:funds|losses|crypto|bitcoin|money|investment)\b",
    r"\b(?:earn|earned|made|make|gain|gained|returns?\s+of)\s+\d+\s*x\b",
    r"\bbest\s+(?:website|site|way|app|platform|place)\s+to\s+(?:earn|make)\b",
    r"\b(?:website|site|app|link|page)\s+(?:to|that\s+lets\s+you)\s+(?:earn|make)\s+(?:money|cash|\$)",
    r"\b(?:work|working|job|jobs)\s+(?:from|at)\s+home\b[^\n]{0,80}?(?:[$€£]\s?\d|\b\d+\s*k?\s*(?:dollars|usd|euros|bucks)\b)",
    r"\b(?:payday\s+loans?|loans?\s+(?:online|fast|instantly|urgently|without|with\s+bad\s+credit|no\s+credit)|need\s+a\s+loan|bad\s+credit\??|no\s+credit\s+check|instant\s+approval|approval\s+in\s+\d+|(?:we|i)\s+offer\s+(?:\w+\s+){0,3}loans|prestamos?\s+(?:rapidos?|sin|urgentes?|personales)|emprestimos?\s+(?:rapidos?|sem|online)|prets?\s+(?:rapides?|sans|entre\s+particuliers))\b",
    r"\b(?:now\s+)?hiring\s+(?:online|remote|home|work\s+from\s+home|part[- ]time|from\s+home)\b",
    r"\b(?:is|are)\s+hiring\s+(?:remote|online|home|from\s+home)\b",
    r"\bpaid\s+sponsorships?\b",
    r"\bget\s+paid\s+(?:to|for)\s+(?:watch|play|typ|like|review|test|chat|answer|tak|fill|read|listen|sleep|walk|post)",
    r"\b(?:renda|dinheiro)\s+extra\b",
    r"\bgan(?:a|e|ar|en|as)\s+(?:mucho\s+|facil\s+|extra\s+)?dinero\s+(?:desde\s+casa|en\s+casa|por\s+internet|online|en\s+linea|facil|rapido|extra|sin\s+salir)\b",
    r"\bganh(?:e|ar|a|em)\s+(?:muito\s+)?dinheiro\s+(?:em\s+casa|online|pela\s+internet|na\s+internet|facil|rapido|sem\s+sair|extra)\b",
    r"\bgagne[rz]?\s+(?:facilement\s+)?(?:de\s+l'?argent|des\s+euros)\s*(?:en\s+ligne|depuis\s+(?:chez\s+vous|la\s+maison|votre\s+canape)|facilement|rapidement|sur\s+internet|par\s+jour|chaque\s+jour)",
    r"\b(?:trabaj[ao]|trabajar|trabalh[oae]|trabalhar|travaille[rz]?)\s+(?:desde|de|em|a\s+partir\s+de)\s+(?:casa|chez\s+(?:soi|vous|moi)|la\s+maison)\b[^\n]{0,80}?(?:[$€£]|r\$|\b\d+\b|dinero|dinheiro|argent|gana|ganha|gagne|receba)",
];

#[rustfmt::skip]
const MONEY_WEAK: &[&str] = &[
    r"\b(?:work|working|job|jobs|trabajo|trabalho|travail)\s+(?:from|at|desde|em|de|a)\s+(?:home|casa|domicile|chez\s+(?:soi|vous|moi)|la\s+maison)\b",
    r"\b(?:make|earn|making|earning|gana[r]?|ganha[r]?|gagne[rz]?)\s+(?:some\s+|extra\s+|real\s+)?(?:money|cash|dinero|dinheiro|argent|\$)",
    r"\b(?:hiring|recruiting|now\s+hiring|no\s+(?:experience|degree|skills)\s+(?:needed|required|necessary)|apply\s+now|join\s+(?:my|our)\s+team|start\s+today|be\s+your\s+own\s+boss|financial\s+freedom|passive\s+income|side\s+hustle|extra\s+income|quit\s+(?:my|your)\s+(?:job|9)|laptop\s+lifestyle|anyone\s+can\s+do\s+it|sin\s+experiencia|sem\s+experiencia|sans\s+experience)\b",
    r"\bgift\s*cards?\b",
    r"\bgiveaway\b",
    r"\b(?:promo|coupon|discount|referral|invite)\s+code\b",
    r"\b(?:bitcoin|btc|crypto|forex|binary\s+options?|investment\s+(?:plan|platform|manager|expert)|account\s+manager|trading\s+(?:expert|platform|bot|signals))\b",
    r"\b(?:dm|pm|inbox|message|text|whatsapp|telegram|contact)\s+(?:me|us|him|her)\b",
    r"\b(?:whats?app|telegram|wechat)\b",
    r"\b(?:my|our)\s+(?:aunt|uncle|cousin|mom|mum|mother|sister|brother|friend|neighbou?r|roommate|wife|husband|best\s+friend)(?:'s)?\b[^.!?\n]{0,40}\b(?:makes?|made|earns?|earned|gets?\s+paid|got\s+paid)\b",
    r"\b(?:click\s+(?:here|the\s+link|on\s+the\s+link|this\s+link|below)|sign\s+up|register\s+(?:now|here|today)|link\s+in\s+(?:my\s+)?(?:bio|profile|description)|go\s+to\s+(?:this|my|the)\s+(?:site|website|link|page)|visit\s+(?:this|my|the)\s+(?:site|website|link|page)|check\s+(?:it\s+)?out\s+here|see\s+how|ask\s+me\s+how|find\s+out\s+how)\b",
    r"\b(?:per|a|an|/)\s*(?:hour|hr|day)\b[^.!?\n]{0,40}\b(?:online|from\s+home|at\s+home|laptop|phone)\b",
    r"\b(?:cash|money|dinero|dinheiro|argent|income)\b",
    r"\b(?:working|work)\s+online\b",
    r"\b(?:earn|earns|earned|earning)\s+more\s+than\b",
];

#[rustfmt::skip]
const BAIT_STRONG: &[&str] = &[
    r"\b(?:check|chek|chk|watch|look\s+at)\s+(?:out\s+)?(?:this|these|that)\s+(?:awesome\s+|amazing\s+|cool\s+|new\s+|funny\s+|great\s+|insane\s+|epic\s+|crazy\s+)?(?:video|vid|clip|song|channel|vlog|music\s+video|gameplay)\b",
    r"\b(?:video|vid|clip|clipe)\s+(?:on|en|no|na|sur)\s+(?:you\s*tube|yt)\b",
    r"\b(?:mira|miren|mire|confira|confiram|veja|vejam|assista|assistam|regardez|regarde)\s+(?:este|esse|esta|cette|ce)\s+(?:video|clip|clipe)\b",
    r"(?:^|[.!?\n]\s*)like\s+if\s+(?:you|u|ur|you're|youre)\b",
    r"\blike\s+(?:this\s+|my\s+)?(?:comment|post)\s+(?:if|so|when|for)\b",
    r"\blike\s+this\s+(?:if|so)\b",
    r"\b(?:thumbs\s+up|upvote)\s+(?:this|if|so|for|when|my)\b",
    r"\b(?:smash|hit|press)\s+(?:that|the)\s+(?:like|sub|subscribe|thumbs)\b",
    r"\b\d+\s*(?:like|likes|share|shares|sub|subs)\s*=",
    r"\bif\s+this\s+(?:comment\s+)?gets\s+\d+\s*k?\s*(?:likes|thumbs|shares|subs|upvotes)\b",
    r"\b(?:like|share|comment|thumbs\s+up|upvote)\b[^.!?\n]{0,25}?\bso\s+(?:that\s+)?(?:everyone|everybody|more\s+people|others|people|the\s+world|it)\s+(?:can\s+|will\s+)?(?:see|sees|notice|notices|know|knows|gets?\s+seen)\b",
    r"\bshare\s+(?:this|it)(?:\s+\w+)?\s+(?:with|to)\s+(?:\d+|ten|five|three|seven|twenty|all|every\w*|ur|your)\b",
    r"\b(?:send|post|copy)\s+(?:this|it)\s+(?:to|on|in)\s+(?:\d+|ten|five|three|seven|twenty|all\s+your|every)\b",
    r"\b(?:if\s+you|if\s+u)\s+(?:don'?t|do\s+not|dont|wont|won'?t)\s+(?:share|repost|copy|paste|like|send|post)\b",
    r"\b(?:if\s+you|if\s+u)\s+(?:read|see|saw)\s+this\b",
    r"\bignored\s+this\s+(?:message|comment|chain|post)\b",
    r"\bdon'?t\s+(?:scroll|be\s+the\s+one\s+who\s+scrolls)\b",
    r"\btype\s+['\x22]?(?:amen|yes|1|god)['\x22]?\b",
    r"\bcopy\s+(?:and|&)\s+paste\s+this\b",
    r"\b(?:read|see|look\s+at|check\s+out|check|visit|click\s+on|click)\s+my\s+(?:profile|bio|pic|profile\s+pic(?:ture)?|about\s+(?:page|section)|avatar|username|name)\b",
    r"\b(?:who'?s|who\s+is|who\s+else\s+is|who\s+else|anyone|anybody|who)\s+(?:still\s+)?(?:watching|listening|here|reading)\b[^\n]{0,40}?\b20\d\d\b[^\n]{0,40}?\b(?:like|thumbs|sub|subscribe|share|comment|hit)\b",
    r"\b(?:like|thumbs\s+up|hit\s+like)\b[^\n]{0,30}?\b(?:watching|listening|here)\b[^\n]{0,20}?\b20\d\d\b",
    r"\b(?:comment|type|reply|write|comenta|comente|comentem|comenten|commente|commentez)\s+['\x22]?[a-z0-9]+['\x22]?\s+(?:if|for|se|si)\s+",
    r"\b(?:everyone|everybody|guys|people|y'?all|yall)\s+(?:come\s+|go\s+|pls\s+|please\s+)?(?:watch|see|check\s+out|look\s+at)\b",
    r"\b(?:come|go)\s+(?:watch|see|check\s+out)\b[^.!?\n]{0,30}?\b(?:video|gameplay|stream|clip|channel|speedrun|live|vid)\b",
    // Spanish, Portuguese, French
    r"\b(?:dale|denle|deja|dejen|deja\s+tu|regalame|regalenme)\s+(?:un\s+|tu\s+|su\s+)?like\b",
    r"\blike\s+si\b",
    r"\b(?:comparte|compartan|comparti)\s+(?:esto|este|este\s+video|el\s+video)\b",
    r"\b(?:curte|curtam|curta)\s+(?:se|ai|esse|este|o\s+comentario)\b",
    r"\bdeix(?:e|a|em)\s+(?:seu|o\s+seu|um|o|teu)\s+like\b",
    r"\b(?:compartilhe|compartilhem)\b",
    r"\b(?:mettez|mets|met|laissez|laisse|lachez)\s+(?:un\s+|vos\s+|ton\s+)?(?:like|pouce|j'aime|pouce\s+bleu)\b",
    r"\bpartagez\b",
    r"\b(?:quien|quem|qui)\s+[^\n]{0,30}?\b20\d\d\b[^\n]{0,30}?\b(?:like|curte|curta|pouce|dale)\b",
];

#[rustfmt::skip]
const BAIT_WEAK: &[&str] = &[
    r"\b(?:watch\?v=|youtu\.be/|youtube\.com/watch)",
    r"\b(?:first|primero|primeiro|premier)\s*!",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(family: Family, text: &str) -> (usize, usize) {
        let phrases = Phrases::find(&Normalized::of(text).text, [&[], &[], &[]]);
        let found = phrases.of(family);
        (found.strong.len(), found.weak.len())
    }

    #[test]
    fn the_families_compile_and_know_their_calls() {
        use Family::*;
        assert!(hits(Promotion, "Check out my new cover on my channel!").0 > 0);
        assert!(hits(Promotion, "pls SUB 4 SUB").0 > 0);
        assert!(hits(Promotion, "Suscríbete a mi canal por favor").0 > 0);
        assert!(hits(Promotion, "inscreva-se no meu canal").0 > 0);
        assert!(hits(Promotion, "abonnez-vous à ma chaîne").0 > 0);
        assert_eq!(
            hits(Promotion, "I had to check my account three times before the refund showed up."),
            (0, 0)
        );
        assert_eq!(hits(Promotion, "Our support channel on Slack was quicker than the phone line.").0, 0);
        assert!(hits(Money, "GET PAID UP TO $30 AN HOUR from home, click here").1 >= 2);
        assert!(hits(Money, "free $25 amazon gift card codes").0 > 0);
        assert_eq!(hits(Money, "They charged me $35 an hour for a technician who never came.").0, 0);
        assert!(hits(Bait, "Check out this video on YouTube:").0 > 0);
        assert!(hits(Bait, "like this comment if you are watching in 2019").0 > 0);
        assert_eq!(hits(Bait, "Who else is reading this in 2024? The refund rules have not changed.").0, 0);
        assert_eq!(hits(Bait, "I would like if you wrote more about refunds.").0, 0);
    }

    #[test]
    fn a_sites_own_phrases_are_whole_words() {
        let text = Normalized::of("Try Acme Loans today, not acmeloans").text;
        let extra = ["acme loans".to_string()];
        let phrases = Phrases::find(&text, [&[], &extra, &[]]);
        assert_eq!(phrases.of(Family::Money).strong.len(), 1);
    }
}
