package webtest

// contrastScript lists visible text whose colour has less than the WCAG AA
// contrast with the background behind it: 4.5:1, or 3:1 for large text (at
// least 24 px, or 18.66 px bold). The background is the first opaque one
// among the element and its ancestors.
const contrastScript = `(() => {
	const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
	const parse = (color) => (color.match(/[\d.]+/g) || []).map(Number);
	const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
	const background = (element) => {
		for (let e = element; e; e = e.parentElement) {
			const rgba = parse(getComputedStyle(e).backgroundColor);
			if (rgba.length === 3 || (rgba.length === 4 && rgba[3] === 1)) return rgba.slice(0, 3);
		}
		return [255, 255, 255];
	};
	const failures = [];
	for (const element of document.querySelectorAll("body *")) {
		const ownText = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
		if (!ownText || !element.getClientRects().length) continue;
		const style = getComputedStyle(element);
		if (style.visibility === "hidden" || element.closest(".visually-hidden")) continue;
		const fg = parse(style.color).slice(0, 3);
		const [l1, l2] = [luminance(fg), luminance(background(element))].sort((a, b) => b - a);
		const ratio = (l1 + 0.05) / (l2 + 0.05);
		const size = parseFloat(style.fontSize);
		const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
		const needed = large ? 3 : 4.5;
		if (ratio < needed) failures.push(element.tagName + " " + JSON.stringify(element.textContent.trim().slice(0, 40)) + " " + ratio.toFixed(2) + ":1");
	}
	return failures;
})()`

// checkLayout fails the test when the page scrolls sideways at phone width
// or has text below WCAG AA contrast.
func (p *person) checkLayout() {
	p.t.Helper()
	var width int
	p.eval(`document.documentElement.scrollWidth`, &width)
	if width > screenWidth {
		p.t.Errorf("%s: the page is %d px wide at a %d px screen", p.name, width, screenWidth)
	}
	var failures []string
	p.eval(contrastScript, &failures)
	for _, failure := range failures {
		p.t.Errorf("%s: text below WCAG AA contrast: %s", p.name, failure)
	}
}
