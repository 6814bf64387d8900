//! `tree-math`: the array math of RFC 9420 Appendix C (mlswg `tree-math.json`).
//!
//! One case per tree size; each compares `n_nodes`, `root`, and `left`, `right`, `parent` and
//! `sibling` of every node with `artmls::tree_math`. No backend is involved.

use artmls::tree_math::{NodeIndex, node_width, root};
use serde::Deserialize;

use crate::runner::FileRun;
use crate::runner::common::CheckResult;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    n_leaves: u32,
    n_nodes: u32,
    root: u32,
    left: Vec<Option<u32>>,
    right: Vec<Option<u32>>,
    parent: Vec<Option<u32>>,
    sibling: Vec<Option<u32>>,
}

pub(crate) fn run(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    let cases: Vec<Case> = serde_json::from_str(text)?;
    for (index, case) in cases.iter().enumerate() {
        let note = format!(
            "{} leaves: root, children, parents and siblings match",
            case.n_leaves
        );
        run.run_local(index, &note, check(case));
    }
    Ok(())
}

fn compare(what: &str, node: u32, got: Option<NodeIndex>, want: Option<u32>) -> CheckResult {
    if got.map(|n| n.0) == want {
        Ok(())
    } else {
        Err(format!(
            "{what}({node}): got {:?}, expected {want:?}",
            got.map(|n| n.0)
        ))
    }
}

fn check(case: &Case) -> CheckResult {
    let n = case.n_leaves;
    if !n.is_power_of_two() {
        return Err(format!(
            "malformed vector: n_leaves {n} is not a power of two"
        ));
    }
    if node_width(n) != case.n_nodes {
        return Err(format!(
            "n_nodes: got {}, expected {}",
            node_width(n),
            case.n_nodes
        ));
    }
    if root(n).0 != case.root {
        return Err(format!("root: got {}, expected {}", root(n).0, case.root));
    }
    let lists = [&case.left, &case.right, &case.parent, &case.sibling];
    if lists.iter().any(|list| list.len() != case.n_nodes as usize) {
        return Err("malformed vector: a list does not have n_nodes entries".into());
    }
    for x in 0..case.n_nodes {
        let node = NodeIndex(x);
        let i = x as usize;
        compare("left", x, node.left(), case.left[i])?;
        compare("right", x, node.right(), case.right[i])?;
        compare("parent", x, node.parent(n), case.parent[i])?;
        compare("sibling", x, node.sibling(n), case.sibling[i])?;
    }
    Ok(())
}
