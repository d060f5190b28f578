package scenarios

import "go.yaml.in/yaml/v3"

// entries returns the keys and values of mapping n (resolved) in file
// order, with YAML merge keys resolved: `<<: *base` adds base's entries,
// and `<<: [*a, *b]` those of each mapping in the list, an earlier one's
// key winning over a later one's; a key written in n wins over a merged
// one. Merged entries are the nodes of the mapping they come from, so a
// problem with one is reported at its own line. A merge key given twice,
// or naming anything but a mapping or a list of mappings, is a problem.
// Each mapping is resolved once, however often aliases name it.
func (d *decoder) entries(n *yaml.Node) (keys, values []*yaml.Node) {
	if e, ok := d.merged[n]; ok {
		return e.keys, e.values
	}
	d.merged[n] = mapEntries{} // a mapping that merges itself adds nothing
	own := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := resolve(n.Content[i]); k.Kind == yaml.ScalarNode && !isMergeKey(k) {
			own[k.Value] = true
		}
	}
	mergeKey := (*yaml.Node)(nil)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if !isMergeKey(k) {
			keys, values = append(keys, k), append(values, v)
			continue
		}
		if mergeKey != nil {
			d.at(k, 0, "<< is given twice in one mapping (first at line %d); merge several mappings with a list: <<: [*a, *b]", mergeKey.Line)
			continue
		}
		mergeKey = k
		for _, m := range d.mergedMappings(v) {
			mk, mv := d.entries(m)
			for j, key := range mk {
				if !own[key.Value] {
					keys, values = append(keys, key), append(values, mv[j])
				}
			}
			for _, key := range mk {
				own[key.Value] = true // an earlier mapping's key wins
			}
		}
	}
	d.merged[n] = mapEntries{keys, values}
	return keys, values
}

// mapEntries are a mapping's keys and values, merges resolved.
type mapEntries struct{ keys, values []*yaml.Node }

// isMergeKey reports whether key k is YAML's merge key: << unquoted.
func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Tag == "!!merge"
}

// mergedMappings returns the mappings a merge key's value v names: v
// itself, or the items of a list.
func (d *decoder) mergedMappings(v *yaml.Node) []*yaml.Node {
	switch v.Kind {
	case yaml.MappingNode:
		return []*yaml.Node{v}
	case yaml.SequenceNode:
		var out []*yaml.Node
		for _, item := range v.Content {
			if item = resolve(item); item.Kind == yaml.MappingNode {
				out = append(out, item)
			} else {
				d.at(item, 0, "<< merges mappings; a list after it holds only mappings, not %s", describe(item))
			}
		}
		return out
	}
	d.at(v, 0, "<< merges a mapping (<<: *base) or a list of mappings (<<: [*a, *b]), not %s", describe(v))
	return nil
}
