/**
 * A few DOM helpers. Every text from the network (job names, CPU models,
 * user names) goes in as text nodes, never as HTML.
 */

type Child = Node | string | number | null | undefined | false
type Attrs = Record<string, string | number | boolean | null | undefined | ((evt: any) => void)>

const SVG_NS = 'http://www.w3.org/2000/svg'

function fill<E extends Element> (el: E, attrs: Attrs | undefined, children: Child[]): E {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v == null || v === false) continue
    if (typeof v === 'function') el.addEventListener(k.slice(2), v)
    else el.setAttribute(k, v === true ? '' : String(v))
  }
  for (const c of children) {
    if (c == null || c === false) continue
    el.append(typeof c === 'object' ? c : String(c))
  }
  return el
}

/** An HTML element: `h('td', { class: 'num' }, '42')`; attributes named on* are listeners. */
export function h<K extends keyof HTMLElementTagNameMap> (tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K] {
  return fill(document.createElement(tag), attrs, children)
}

/** An SVG element. */
export function s<K extends keyof SVGElementTagNameMap> (tag: K, attrs?: Attrs, ...children: Child[]): SVGElementTagNameMap[K] {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children)
}

export function byId<E extends HTMLElement = HTMLElement> (id: string): E {
  const el = document.getElementById(id)
  if (el == null) throw new Error(`the page has no #${id}`)
  return el as E
}

/** Sets an element's text only when it changed (keeps the DOM quiet between snapshots). */
export function setText (el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text
}

/** Sets or removes an attribute only when it changed. */
export function setAttr (el: Element, name: string, value: string | number | null | undefined): void {
  if (value == null) {
    if (el.hasAttribute(name)) el.removeAttribute(name)
    return
  }
  const v = String(value)
  if (el.getAttribute(name) !== v) el.setAttribute(name, v)
}

/**
 * Makes `parent`'s children match `items`, in order, keyed by `key`: a
 * child is created once, then only updated, so its state (a pending
 * confirmation, a transition) survives the next snapshot.
 */
export function syncChildren<T, E extends Element> (parent: Element, items: T[], key: (item: T) => string, create: (item: T) => E, update: (el: E, item: T) => void): void {
  const existing = new Map<string, E>()
  for (const child of [...parent.children]) {
    const k = (child as HTMLElement).dataset?.key ?? child.getAttribute('data-key')
    if (k != null) existing.set(k, child as E)
  }
  let cursor: Element | null = parent.firstElementChild
  const wanted = new Set<string>()
  for (const item of items) {
    const k = key(item)
    wanted.add(k)
    let el = existing.get(k)
    if (el == null) {
      el = create(item)
      el.setAttribute('data-key', k)
    }
    update(el, item)
    if (el !== cursor) parent.insertBefore(el, cursor)
    else cursor = cursor.nextElementSibling
  }
  for (const [k, el] of existing) if (!wanted.has(k)) el.remove()
}
