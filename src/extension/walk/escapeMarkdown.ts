// Markdown built from dump text: the text is never trusted, so whatever
// Markdown would read as markup is escaped.

export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|#]/g, (c) => '\\' + c);
}
