//! RSS 2.0 and Atom 1.0, written with the `rss` and `atom_syndication` crates so that
//! escaping and structure are theirs to get right, not ours.

use atom_syndication as atom;
use chrono::{DateTime, FixedOffset, Utc};
use rss::extension::dublincore::DublinCoreExtension;

use super::Feed;
use crate::model::Links;
use crate::render::view::short_authors;

/// Feeds carry no wall-clock time: a feed's date is its newest item's, so that rebuilding
/// the same content gives the same bytes and readers do not see phantom updates.
fn updated(feed: &Feed) -> DateTime<Utc> {
    feed.items
        .iter()
        .map(|i| i.published)
        .max()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// RSS 2.0 document.
pub(crate) fn rss(feed: &Feed, links: &Links) -> Vec<u8> {
    let items: Vec<rss::Item> = feed
        .items
        .iter()
        .map(|item| {
            let link = links.abs(&item.rel);
            rss::ItemBuilder::default()
                .title(Some(item.title.clone()))
                .link(Some(link.clone()))
                .guid(Some(rss::GuidBuilder::default().value(link).permalink(true).build()))
                .pub_date(Some(item.published.to_rfc2822()))
                .description(Some(item.html.clone()))
                // RSS's own <author> wants an e-mail address: readers show dc:creator. Short,
                // as listings show it: a byline of 64 names is not one.
                .dublin_core_ext((!item.authors.is_empty()).then(|| DublinCoreExtension {
                    creators: vec![short_authors(&item.authors)],
                    ..Default::default()
                }))
                .categories(
                    item.tags
                        .iter()
                        .map(|(_, name)| rss::CategoryBuilder::default().name(name.clone()).build())
                        .collect::<Vec<_>>(),
                )
                .build()
        })
        .collect();
    let date = updated(feed).to_rfc2822();
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
    let mut out = Vec::with_capacity(4096 + feed.items.len() * 2048);
    channel
        .pretty_write_to(&mut out, b' ', 2)
        .expect("writing to a Vec cannot fail");
    out.push(b'\n');
    out
}

/// Atom 1.0 document.
pub(crate) fn atom(feed: &Feed, links: &Links) -> Vec<u8> {
    let fixed = |d: DateTime<Utc>| -> DateTime<FixedOffset> { d.fixed_offset() };
    let entries: Vec<atom::Entry> = feed
        .items
        .iter()
        .map(|item| {
            let link = links.abs(&item.rel);
            let mut entry = atom::Entry::default();
            entry.set_title(atom::Text::plain(item.title.clone()));
            entry.set_id(link.clone());
            entry.set_updated(fixed(item.published));
            entry.set_published(Some(fixed(item.published)));
            entry.set_links(vec![atom::Link {
                href: link,
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Default::default()
            }]);
            entry.set_authors(
                item.authors
                    .iter()
                    .map(|a| atom::Person {
                        name: a.clone(),
                        ..Default::default()
                    })
                    .collect::<Vec<_>>(),
            );
            entry.set_categories(
                item.tags
                    .iter()
                    .map(|(slug, name)| atom::Category {
                        term: slug.clone(),
                        label: Some(name.clone()),
                        ..Default::default()
                    })
                    .collect::<Vec<_>>(),
            );
            entry.set_content(Some(atom::Content {
                value: Some(item.html.clone()),
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
    doc.set_updated(fixed(updated(feed)));
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
    let mut out = Vec::with_capacity(4096 + feed.items.len() * 2048);
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

/// JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>): what newer readers prefer, and the
/// easiest feed for scripts to consume.
pub(crate) fn json(feed: &Feed, links: &Links) -> Vec<u8> {
    use serde_json::{Value, json};
    let items: Vec<Value> = feed
        .items
        .iter()
        .map(|item| {
            let url = links.abs(&item.rel);
            let mut v = json!({
                "id": url,
                "url": url,
                "title": item.title,
                "content_html": item.html,
                "summary": item.summary,
                "date_published": item.published.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            });
            if !item.tags.is_empty() {
                v["tags"] = json!(item.tags.iter().map(|(_, name)| name).collect::<Vec<_>>());
            }
            if !item.authors.is_empty() {
                v["authors"] = json!(item.authors.iter().map(|a| json!({ "name": a })).collect::<Vec<_>>());
            }
            v
        })
        .collect();
    let doc = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": links.abs(&feed.html_rel),
        "feed_url": links.abs(&format!("{}feed.json", feed.self_rel)),
        "description": feed.description,
        "language": feed.language,
        "authors": [{ "name": feed.author }],
        "items": items,
    });
    let mut out = serde_json::to_vec_pretty(&doc).expect("a JSON value always serializes");
    out.push(b'\n');
    out
}
