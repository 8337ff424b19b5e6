//! RSS 2.0 and Atom 1.0, written with the `rss` and `atom_syndication` crates so that
//! escaping and structure are theirs to get right, not ours.

use atom_syndication as atom;
use chrono::{DateTime, FixedOffset, Utc};

use crate::model::{PaperId, Site};
use crate::render::{Links, paper_dir};

/// One feed: its metadata and its items, newest first, already limited.
#[derive(Debug, Clone)]
pub struct Feed {
    /// Feed title.
    pub title: String,
    /// Feed subtitle.
    pub description: String,
    /// Feed-level author (Atom requires one).
    pub author: String,
    /// Language code.
    pub language: String,
    /// Output path of the HTML page the feed mirrors (`""` for the home page).
    pub html_rel: String,
    /// Output folder the feed files live in (`""` for the root).
    pub self_rel: String,
    /// Items, newest first.
    pub papers: Vec<PaperId>,
}

/// Feeds carry no wall-clock time: a feed's date is its newest item's, so that rebuilding
/// the same content gives the same bytes and readers do not see phantom updates.
fn updated(feed: &Feed, site: &Site) -> DateTime<Utc> {
    feed.papers
        .iter()
        .map(|&id| site.papers[id].published)
        .max()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// RSS 2.0 document.
pub fn rss(feed: &Feed, site: &Site, links: &Links) -> Vec<u8> {
    let items: Vec<rss::Item> = feed
        .papers
        .iter()
        .map(|&id| {
            let p = &site.papers[id];
            let link = links.abs(&paper_dir(&p.slug));
            rss::ItemBuilder::default()
                .title(Some(p.title.to_string()))
                .link(Some(link.clone()))
                .guid(Some(rss::GuidBuilder::default().value(link).permalink(true).build()))
                .pub_date(Some(p.published.to_rfc2822()))
                .description(Some(p.abstract_html.to_string()))
                .categories(
                    p.tags
                        .iter()
                        .map(|&t| rss::CategoryBuilder::default().name(site.tags[t].name.clone()).build())
                        .collect::<Vec<_>>(),
                )
                .build()
        })
        .collect();
    let date = updated(feed, site).to_rfc2822();
    let channel = rss::ChannelBuilder::default()
        .title(feed.title.clone())
        .link(links.abs(&feed.html_rel))
        .description(feed.description.clone())
        .language(Some(feed.language.clone()))
        .generator(Some("paperboy".to_string()))
        .last_build_date(Some(date.clone()))
        .pub_date(Some(date))
        .atom_ext(Some(rss::extension::atom::AtomExtension {
            links: vec![atom::Link {
                href: links.abs(&format!("{}rss.xml", feed.self_rel)),
                rel: "self".into(),
                mime_type: Some("application/rss+xml".into()),
                ..Default::default()
            }],
        }))
        .items(items)
        .build();
    let mut out = Vec::with_capacity(4096 + feed.papers.len() * 2048);
    channel
        .pretty_write_to(&mut out, b' ', 2)
        .expect("writing to a Vec cannot fail");
    out.push(b'\n');
    out
}

/// Atom 1.0 document.
pub fn atom(feed: &Feed, site: &Site, links: &Links) -> Vec<u8> {
    let fixed = |d: DateTime<Utc>| -> DateTime<FixedOffset> { d.fixed_offset() };
    let entries: Vec<atom::Entry> = feed
        .papers
        .iter()
        .map(|&id| {
            let p = &site.papers[id];
            let link = links.abs(&paper_dir(&p.slug));
            let mut entry = atom::Entry::default();
            entry.set_title(atom::Text::plain(p.title.to_string()));
            entry.set_id(link.clone());
            entry.set_updated(fixed(p.published));
            entry.set_published(Some(fixed(p.published)));
            entry.set_links(vec![atom::Link {
                href: link,
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Default::default()
            }]);
            entry.set_authors(
                p.authors
                    .iter()
                    .map(|a| atom::Person {
                        name: a.clone(),
                        ..Default::default()
                    })
                    .collect::<Vec<_>>(),
            );
            entry.set_categories(
                p.tags
                    .iter()
                    .map(|&t| atom::Category {
                        term: site.tags[t].slug.clone(),
                        label: Some(site.tags[t].name.clone()),
                        ..Default::default()
                    })
                    .collect::<Vec<_>>(),
            );
            entry.set_content(Some(atom::Content {
                value: Some(p.abstract_html.to_string()),
                content_type: Some("html".into()),
                ..Default::default()
            }));
            entry
        })
        .collect();
    let mut doc = atom::Feed::default();
    doc.set_title(atom::Text::plain(feed.title.clone()));
    doc.set_subtitle(Some(atom::Text::plain(feed.description.clone())));
    doc.set_id(links.abs(&format!("{}atom.xml", feed.self_rel)));
    doc.set_updated(fixed(updated(feed, site)));
    doc.set_authors(vec![atom::Person {
        name: feed.author.clone(),
        ..Default::default()
    }]);
    doc.set_lang(Some(feed.language.clone()));
    doc.set_generator(Some(atom::Generator {
        value: "paperboy".into(),
        ..Default::default()
    }));
    doc.set_links(vec![
        atom::Link {
            href: links.abs(&feed.html_rel),
            rel: "alternate".into(),
            mime_type: Some("text/html".into()),
            ..Default::default()
        },
        atom::Link {
            href: links.abs(&format!("{}atom.xml", feed.self_rel)),
            rel: "self".into(),
            mime_type: Some("application/atom+xml".into()),
            ..Default::default()
        },
    ]);
    doc.set_entries(entries);
    let mut out = Vec::with_capacity(4096 + feed.papers.len() * 2048);
    doc.write_with_config(
        &mut out,
        atom::WriteConfig {
            write_document_declaration: true,
            indent_size: Some(2),
        },
    )
    .expect("writing to a Vec cannot fail");
    out.push(b'\n');
    out
}
