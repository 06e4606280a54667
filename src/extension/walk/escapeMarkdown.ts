// Markdown built from dump text: the text is never trusted, so every ASCII
// punctuation character gets a backslash (CommonMark allows one before any):
// the text forms no markup, link, autolink, entity or table cell. The same
// rule as the server's mdEscape (src/server/features/markdown.ts).

export function escapeMarkdown(text: string): string {
  return text.replace(/[!-/:-@[-`{-~]/g, (c) => '\\' + c).replace(/\r\n|[\r\n]/g, ' ');
}
