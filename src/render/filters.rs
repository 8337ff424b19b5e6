//! Filters paperboy gives templates in place of Tera's own, where Tera's would make a build
//! that is not reproducible.

use tera::value::Key;
use tera::{Kwargs, Map, State, TeraResult, Value};

/// `group_by(attribute=…)`, with the groups in the order their first item comes. Tera's
/// collects through a hash map with a random seed, so a page that prints the groups came
/// out in another order on each build, and a full tag page that never changes did change.
pub(super) fn group_by(items: &[Value], kwargs: Kwargs, _: &State) -> TeraResult<Map> {
    let attribute = kwargs.must_get::<&str>("attribute")?;
    let mut groups: Vec<(Key<'static>, Vec<Value>)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(value) = item.get_from_path(attribute) else {
            return Err(tera::Error::message(format!(
                "Value at index {i} (a {}) does not have an attribute at path: {attribute}",
                item.name()
            )));
        };
        if value.is_none() {
            continue;
        }
        let key = key_of(value)?;
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(item.clone()),
            None => groups.push((key, vec![item.clone()])),
        }
    }
    Ok(groups.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
}

/// The map key a value groups under: text, a whole number or a truth value, as Tera's.
fn key_of(value: &Value) -> TeraResult<Key<'static>> {
    if let Some(text) = value.as_str() {
        Ok(Key::from(text.to_string()))
    } else if let Some(b) = value.as_bool() {
        Ok(Key::Bool(b))
    } else if let Some(n) = value.as_i64() {
        Ok(Key::I64(n))
    } else if let Some(n) = value.as_u64() {
        Ok(Key::U64(n))
    } else {
        Err(tera::Error::message(format!(
            "{} is not a valid key to group by",
            value.name()
        )))
    }
}

#[cfg(test)]
mod tests {
    use tera::{Context, Tera};

    #[test]
    fn groups_keep_the_order_of_their_first_item() {
        let mut tera = Tera::new();
        tera.register_filter("group_by", super::group_by);
        tera.add_raw_template(
            "t",
            "{% for k, v in papers | group_by(attribute=\"day\") %}{{ k }}:{{ v | length }} {% endfor %}",
        )
        .unwrap();
        let days = ["z", "a", "m", "z", "b", "a", "q", "c", "y", "d"];
        let papers: Vec<_> = days
            .iter()
            .map(|d| std::collections::BTreeMap::from([("day", *d)]))
            .collect();
        let mut ctx = Context::new();
        ctx.insert("papers", &papers);
        for _ in 0..20 {
            assert_eq!(tera.render("t", &ctx).unwrap(), "z:2 a:2 m:1 b:1 q:1 c:1 y:1 d:1 ");
        }
    }
}
