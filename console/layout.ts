import { html } from 'hono/html';
import { LOCALES, message, type Locale, type MessageKey } from './messages';
import type { Session } from './sessions';

/** A page fragment: hono's `html` template escapes every interpolated value unless it is a fragment itself. */
export type Html = ReturnType<typeof html>;

/** What every page needs to render: the session (for the CSRF token and the user) and its locale's messages. */
export interface View {
  readonly session: Session;
  readonly locale: Locale;
  readonly path: string;
  t(key: MessageKey, params?: Readonly<Record<string, string | number>>): string;
}

export function view(session: Session, locale: Locale, path: string): View {
  return { session, locale, path, t: (key, params) => message(locale, key, params) };
}

/** The hidden CSRF field every POST form carries. */
export const csrfField = (v: View): Html => html`<input type="hidden" name="_csrf" value="${v.session.csrf}">`;

function header(v: View): Html {
  const user = v.session.user;
  return html`<header>
  <p class="brand">${v.t('app.title')}</p>
  ${user
    ? html`<nav aria-label="${v.t('app.title')}"><ul>
    <li><a href="/dashboard">${v.t('nav.dashboard')}</a></li>
    <li><a href="/recover/source">${v.t('nav.recover')}</a></li>
    <li><a href="/approvals">${v.t('nav.approvals')}</a></li>
  </ul></nav>
  <form method="post" action="/logout" class="inline"><span>${v.t('nav.signedInAs', { subject: user.principal.subject })}</span> ${csrfField(v)}<button type="submit">${v.t('nav.signOut')}</button></form>`
    : ''}
  <form method="post" action="/locale" class="inline">${csrfField(v)}<input type="hidden" name="back" value="${v.path}">
    <label for="locale-choice">${v.t('nav.language')}</label>
    <select id="locale-choice" name="locale">${LOCALES.map((l) => html`<option value="${l}"${l === v.locale ? html` selected` : ''}>${l === 'en' ? 'English' : 'Deutsch'}</option>`)}</select>
    <button type="submit">${v.t('nav.languageApply')}</button>
  </form>
</header>`;
}

/**
 * A whole page: skip link, header with navigation, one main landmark, one h1. `head` adds to
 * the head (a page that follows progress adds its script, served from the console, never inline).
 */
export function page(v: View, title: string, body: Html, head?: Html): Html {
  return html`<!doctype html>
<html lang="${v.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — ${v.t('app.title')}</title>
<link rel="stylesheet" href="/console.css">
${head ?? ''}
</head>
<body>
<a class="skip" href="#main">${v.t('nav.skip')}</a>
${header(v)}
<main id="main" tabindex="-1">
<h1>${title}</h1>
${v.session.flash ? html`<p class="flash" role="status">${v.session.flash}</p>` : ''}
${body}
</main>
</body>
</html>`;
}

/** A table with a caption and column headers. */
export function dataTable(caption: string, headers: readonly string[], rows: readonly (readonly (string | number | Html)[])[]): Html {
  return html`<table><caption>${caption}</caption>
<thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.map((cell) => html`<td>${cell}</td>`)}</tr>`)}</tbody>
</table>`;
}

/** The console's one stylesheet, served from /console.css (the CSP allows styles from the console only). */
export const STYLESHEET = `
body { font-family: system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #fff; line-height: 1.5; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .5rem 1rem; background: #0b3d5c; color: #fff; }
header a, header span, header label { color: #fff; }
header ul { list-style: none; display: flex; gap: 1rem; margin: 0; padding: 0; }
.brand { font-weight: bold; margin: 0; }
main { padding: 1rem 2rem; max-width: 70rem; }
.skip { position: absolute; left: -10000px; }
.skip:focus { position: static; }
a { color: #0b4f8a; }
:focus { outline: 3px solid #c75000; outline-offset: 2px; }
table { border-collapse: collapse; margin: 1rem 0; }
caption { text-align: left; font-weight: bold; }
th, td { border: 1px solid #767676; padding: .25rem .5rem; text-align: left; vertical-align: top; }
.inline { display: inline-flex; gap: .5rem; align-items: center; }
.flash { background: #e6f4ea; border: 1px solid #1e6b34; padding: .5rem; }
.error { background: #fde8e8; border: 1px solid #a4161a; padding: .5rem; }
.corrupt { color: #a4161a; font-weight: bold; }
fieldset { margin: 1rem 0; }
label { display: block; margin: .25rem 0; }
input[type=radio], input[type=checkbox] { margin-right: .5rem; }
textarea, input[type=text] { width: 100%; max-width: 40rem; }
button { padding: .4rem .9rem; margin: .25rem .5rem .25rem 0; }
code { word-break: break-all; }
`;
