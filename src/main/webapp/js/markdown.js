// Markdown of a model's answer as safe DOM: parsed by marked, then sanitized by DOMPurify (both
// from the npm registry, pinned in src/main/frontend/package-lock.json, served from /js/vendor/).
// What a model writes is untrusted, and a prompt can make it write anything:
// - raw HTML in the Markdown is shown as the text it is, never parsed as markup;
// - images are not loaded (a model could put the conversation into an image URL): they become
//   links with their alt text;
// - the sanitizer keeps the elements Markdown makes and no others, and only the attributes they
//   need: no event handlers, no style or class (nothing that can look like the page's own
//   controls), and links whose URL is http, https or mailto only (a javascript: link loses its
//   href and is no link); links open in a new tab without access to this page.
import { Marked } from './vendor/marked/marked.esm.js';
import DOMPurify from './vendor/dompurify/purify.es.mjs';

const ALLOWED_TAGS = ['p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'del', 'code', 'pre',
    'blockquote', 'ul', 'ol', 'li', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td'];
const ALLOWED_ATTR = ['href', 'title', 'align', 'start'];
const SAFE_URL = /^(?:https?:|mailto:)/i;

const markdown = new Marked({ gfm: true, breaks: false, async: false });
markdown.use({
    renderer: {
        html: (token) => (token.block ? `<p>${escapeHtml(token.text.trim())}</p>` : escapeHtml(token.text)),
        image: (token) => `<a href="${escapeHtml(token.href ?? '')}">${escapeHtml(token.text || token.href || 'image')}</a>`,
    },
});

const purifier = DOMPurify(window);
purifier.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName !== 'A') {
        return;
    }
    const href = node.getAttribute('href');
    if (href === null || !SAFE_URL.test(href.trim())) {
        node.removeAttribute('href'); // relative and other schemes too: a model's link goes out to the web or nowhere
        return;
    }
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
});

/**
 * Replaces what `target` shows with `text` rendered as Markdown. Total: any text renders, an
 * unfinished one (a streamed answer so far) too.
 * @param {HTMLElement} target
 * @param {string} text
 */
export function renderMarkdown(target, text) {
    const html = markdown.parse(text ?? '');
    target.replaceChildren(purifier.sanitize(html, {
        ALLOWED_TAGS, ALLOWED_ATTR, ALLOW_DATA_ATTR: false, ALLOW_ARIA_ATTR: false, RETURN_DOM_FRAGMENT: true,
    }));
}

function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
