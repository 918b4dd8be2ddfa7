package render

import "sort"

// The lessons learned library: every current lesson, with its tags, and
// an index of tags (GG3.GP2).

type lessonsView struct {
	Tags    []tagGroup
	Lessons []lessonRow
}

type tagGroup struct {
	Tag    string
	Anchor string
	Links  []link
}

type lessonRow struct {
	link
	Tags    []tagRef
	Affects []link
	Snippet string
	Date    string
}

type tagRef struct{ Tag, Anchor string }

func (s *site) lessonsPage() *pageData {
	v := &lessonsView{}
	byTag := map[string][]link{}
	for _, p := range s.current(func(p *page) bool { return p.d.Kind == "lesson" }) {
		l := link{URL: p.url, Text: p.d.Title, ID: p.d.ID}
		row := lessonRow{link: l, Date: p.d.Date}
		tags := append([]string(nil), p.d.Tags...)
		sort.Strings(tags)
		for i, t := range tags {
			if i > 0 && tags[i-1] == t {
				continue
			}
			row.Tags = append(row.Tags, tagRef{Tag: t, Anchor: "tag-" + fileName(t)})
			byTag[t] = append(byTag[t], l)
		}
		for _, id := range p.d.Affects {
			if al, ok := s.pageLink(id); ok {
				row.Affects = append(row.Affects, al)
			}
		}
		v.Lessons = append(v.Lessons, row)
	}
	for _, t := range sortedKeys(byTag) {
		v.Tags = append(v.Tags, tagGroup{Tag: t, Anchor: "tag-" + fileName(t), Links: byTag[t]})
	}
	return &pageData{Title: "Lessons learned", Nav: "lessons", Lessons: v}
}
