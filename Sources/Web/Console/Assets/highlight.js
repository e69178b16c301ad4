// Syntax highlighting and a tiny Markdown renderer that build DOM nodes from text: nothing here
// ever parses HTML, so whatever a file holds stays text.

import { h } from './ui.js';

const rules = {
  json: [
    ['key', /"(?:[^"\\\n]|\\.)*"(?=\s*:)/y],
    ['string', /"(?:[^"\\\n]|\\.)*"?/y],
    ['number', /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y],
    ['literal', /\b(?:true|false|null)\b/y],
    ['punct', /[{}[\],:]/y],
  ],
  js: [
    ['comment', /\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/y],
    ['string', /`(?:[^`\\]|\\[\s\S])*`?|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?/y],
    ['number', /\b(?:0[xX][\da-fA-F_]+|\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?n?)\b/y],
    ['keyword', /\b(?:async|await|break|case|catch|class|const|continue|default|delete|do|else|export|extends|finally|for|from|function|if|import|in|instanceof|interface|let|new|of|return|static|switch|throw|try|type|typeof|var|void|while|yield)\b/y],
    ['literal', /\b(?:true|false|null|undefined|this|NaN|Infinity)\b/y],
    ['punct', /[{}()[\];,.]/y],
  ],
  python: [
    ['comment', /#[^\n]*/y],
    ['string', /[rbfuRBFU]{0,2}(?:"""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)/y],
    ['number', /\b\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?j?\b/y],
    ['keyword', /\b(?:and|as|assert|async|await|break|class|continue|def|del|elif|else|except|finally|for|from|global|if|import|in|is|lambda|nonlocal|not|or|pass|raise|return|try|while|with|yield|match|case)\b/y],
    ['literal', /\b(?:True|False|None|self)\b/y],
    ['decorator', /@[\w.]+/y],
    ['punct', /[{}()[\]:;,.]/y],
  ],
  yaml: [
    ['comment', /#[^\n]*/y],
    ['key', /[\w.\-/ ]+(?=:(?:\s|$))/y],
    ['string', /"(?:[^"\\\n]|\\.)*"?|'(?:[^'\n]|'')*'?/y],
    ['number', /-?\b\d+(?:\.\d+)?\b/y],
    ['literal', /\b(?:true|false|null|yes|no|on|off|~)\b/y],
    ['punct', /^---$|[-:[\]{},|>]/my],
  ],
  markdown: [
    ['keyword', /^#{1,6}[^\n]*/my],
    ['string', /`[^`\n]*`/y],
    ['comment', /^>[^\n]*/my],
    ['literal', /\[[^\]\n]*\]\([^)\n]*\)/y],
    ['punct', /^\s*(?:[-*+]|\d+\.)\s/my],
    ['decorator', /\*\*[^*\n]+\*\*|__[^_\n]+__/y],
  ],
  shell: [
    ['comment', /#[^\n]*/y],
    ['string', /"(?:[^"\\]|\\.)*"?|'[^']*'?/y],
    ['keyword', /\b(?:if|then|else|elif|fi|for|do|done|while|case|esac|function|export|local|return|in)\b/y],
    ['literal', /\$\{?[\w@#?*]+\}?/y],
  ],
};

const languageByExtension = {
  json: 'json', jsonl: 'json', ipynb: 'json', geojson: 'json',
  js: 'js', mjs: 'js', cjs: 'js', ts: 'js', tsx: 'js', jsx: 'js',
  py: 'python', pyi: 'python',
  yaml: 'yaml', yml: 'yaml', toml: 'yaml', ini: 'yaml', cfg: 'yaml',
  md: 'markdown', markdown: 'markdown',
  sh: 'shell', bash: 'shell', zsh: 'shell',
};

export function languageFor(key, contentType) {
  const name = key.split('/').pop().toLowerCase();
  const extension = name.includes('.') ? name.split('.').pop() : '';
  if (languageByExtension[extension]) return languageByExtension[extension];
  if (contentType) {
    if (contentType.includes('json')) return 'json';
    if (contentType.includes('javascript')) return 'js';
    if (contentType.includes('yaml')) return 'yaml';
    if (contentType.includes('markdown')) return 'markdown';
    if (contentType.includes('python')) return 'python';
  }
  return null;
}

const HIGHLIGHT_LIMIT = 256 * 1024;
const wordChar = /[\w$]/;

// Returns a <pre><code> with <span class="tok-…"> runs; plain text beyond HIGHLIGHT_LIMIT.
export function highlight(text, language) {
  const code = h('code', { class: language ? `lang-${language}` : '' });
  const pre = h('pre', { class: 'code', dataset: { testid: 'preview-code', language: language || 'text' } }, code);
  const list = language && rules[language];
  if (!list) {
    code.textContent = text;
    return pre;
  }
  const limit = Math.min(text.length, HIGHLIGHT_LIMIT);
  const fragment = document.createDocumentFragment();
  let plain = '';
  let i = 0;
  const flush = () => {
    if (plain) { fragment.appendChild(document.createTextNode(plain)); plain = ''; }
  };
  while (i < limit) {
    let matched = false;
    // Rules only start at a word boundary, so "if" inside "gift" stays plain.
    const atBoundary = i === 0 || !wordChar.test(text[i - 1]);
    for (const [kind, regex] of list) {
      if (!atBoundary && wordChar.test(text[i])) break;
      regex.lastIndex = i;
      const match = regex.exec(text);
      if (match && match[0].length > 0) {
        flush();
        fragment.appendChild(h('span', { class: `tok-${kind}` }, match[0]));
        i += match[0].length;
        matched = true;
        break;
      }
    }
    if (!matched) {
      // Copy a run of characters no rule starts with (a whole word at once).
      let j = i + 1;
      if (wordChar.test(text[i])) while (j < limit && wordChar.test(text[j])) j++;
      plain += text.slice(i, j);
      i = j;
    }
  }
  plain += text.slice(limit);
  flush();
  code.appendChild(fragment);
  return pre;
}

// ---- Markdown ---------------------------------------------------------------------------------

export function safeHref(url) {
  try {
    const parsed = new URL(url, window.location.href);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') {
      return /^https?:\/\//i.test(url.trim()) ? parsed.href : null;
    }
  } catch { /* not a URL */ }
  return null;
}

const inlinePattern = /(`+)([\s\S]*?[^`])\1(?!`)|\*\*([\s\S]+?)\*\*|__([\s\S]+?)__|\*([^*\s](?:[^*]*[^*\s])?)\*|(?<![\w])_([^_\s](?:[^_]*[^_\s])?)_(?![\w])|!?\[([^\]]*)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))*)>?(?:\s+"[^"]*")?\s*\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;

export function renderInline(text, depth = 0) {
  const nodes = [];
  let last = 0;
  inlinePattern.lastIndex = 0;
  const pattern = new RegExp(inlinePattern.source, 'g');
  let m;
  while ((m = pattern.exec(text))) {
    if (m.index > last) nodes.push(document.createTextNode(text.slice(last, m.index)));
    const inner = (t) => (depth < 4 ? renderInline(t, depth + 1) : [document.createTextNode(t)]);
    if (m[2] !== undefined) nodes.push(h('code', null, m[2]));
    else if (m[3] !== undefined) nodes.push(h('strong', null, inner(m[3])));
    else if (m[4] !== undefined) nodes.push(h('strong', null, inner(m[4])));
    else if (m[5] !== undefined) nodes.push(h('em', null, inner(m[5])));
    else if (m[6] !== undefined) nodes.push(h('em', null, inner(m[6])));
    else if (m[7] !== undefined || m[8] !== undefined) {
      const isImage = m[0].startsWith('!');
      const href = safeHref(m[8] || '');
      const label = m[7] || m[8] || '';
      if (isImage) nodes.push(document.createTextNode(label ? `[image: ${label}]` : '[image]'));
      else if (href) nodes.push(h('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow' }, inner(label)));
      else nodes.push(document.createTextNode(label));
    } else if (m[9] !== undefined) {
      const href = safeHref(m[9]);
      nodes.push(href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow' }, m[9]) : document.createTextNode(m[9]));
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

export function renderMarkdown(source) {
  const root = h('div', { class: 'markdown', dataset: { testid: 'preview-markdown' } });
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  let paragraph = [];
  const flushParagraph = () => {
    if (paragraph.length) {
      root.appendChild(h('p', null, renderInline(paragraph.join(' '))));
      paragraph = [];
    }
  };
  while (i < lines.length) {
    const line = lines[i];
    let m;
    if ((m = /^\s*(```+|~~~+)\s*([\w+-]*)/.exec(line))) {
      flushParagraph();
      const fence = m[1];
      const language = languageByExtension[m[2].toLowerCase()] || (rules[m[2].toLowerCase()] ? m[2].toLowerCase() : null);
      const body = [];
      i++;
      while (i < lines.length && !lines[i].trim().startsWith(fence)) body.push(lines[i++]);
      i++;
      root.appendChild(highlight(body.join('\n'), language));
      continue;
    }
    if ((m = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line))) {
      flushParagraph();
      root.appendChild(h(`h${m[1].length}`, null, renderInline(m[2])));
      i++;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flushParagraph();
      root.appendChild(h('hr'));
      i++;
      continue;
    }
    if (/^\s*>/.test(line)) {
      flushParagraph();
      const quoted = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) quoted.push(lines[i++].replace(/^\s*>\s?/, ''));
      const inner = renderMarkdown(quoted.join('\n'));
      root.appendChild(h('blockquote', null, Array.from(inner.childNodes)));
      continue;
    }
    if ((m = /^(\s*)([-*+]|\d{1,9}[.)])\s+/.exec(line))) {
      flushParagraph();
      const ordered = /\d/.test(m[2]);
      const list = h(ordered ? 'ol' : 'ul');
      const itemPattern = ordered ? /^\s*\d{1,9}[.)]\s+(.*)$/ : /^\s*[-*+]\s+(.*)$/;
      let item = null;
      while (i < lines.length) {
        const current = lines[i];
        const im = itemPattern.exec(current);
        if (im) {
          const task = /^\[([ xX])\]\s+(.*)$/.exec(im[1]);
          item = h('li', null, task ? [h('input', { type: 'checkbox', disabled: true, checked: task[1] !== ' ' }), ' ', renderInline(task[2])] : renderInline(im[1]));
          list.appendChild(item);
          i++;
        } else if (item && current.trim() && /^\s{2,}/.test(current)) {
          item.appendChild(document.createTextNode(' '));
          for (const node of renderInline(current.trim())) item.appendChild(node);
          i++;
        } else {
          break;
        }
      }
      root.appendChild(list);
      continue;
    }
    if (/^\s{4,}\S/.test(line) && !paragraph.length) {
      const body = [];
      while (i < lines.length && (/^\s{4,}/.test(lines[i]) || !lines[i].trim())) body.push(lines[i++].slice(4));
      while (body.length && !body[body.length - 1].trim()) body.pop();
      root.appendChild(highlight(body.join('\n'), null));
      continue;
    }
    if (!line.trim()) {
      flushParagraph();
      i++;
      continue;
    }
    paragraph.push(line.trim());
    i++;
  }
  flushParagraph();
  return root;
}

// Highlights [start, end) ranges (UTF-16 offsets into `text`) with <mark>; returns nodes.
export function markRanges(text, ranges, offset = 0) {
  const nodes = [];
  let position = 0;
  const sorted = (ranges || [])
    .map(([s, e]) => [Math.max(0, s - offset), Math.min(text.length, e - offset)])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  for (const [start, end] of sorted) {
    if (start < position) continue;
    if (start > position) nodes.push(document.createTextNode(text.slice(position, start)));
    nodes.push(h('mark', { class: 'match' }, text.slice(start, end)));
    position = end;
  }
  if (position < text.length) nodes.push(document.createTextNode(text.slice(position)));
  return nodes;
}
