/**
 * JSON.parse of one record's text, a byte-order mark at its start read as nothing. Windows
 * tools (PowerShell's `Out-File`, Notepad) begin a file with one, which JSON.parse refuses
 * (`Unexpected token '﻿'`): jq reads it as nothing at its input's start. No JSON text begins
 * with U+FEFF (JSON's blanks are space, tab, CR and LF), so reading it as nothing on any record
 * takes only what was refused, wherever a block boundary put the file's start.
 */
export function parseJsonText(text: string): unknown {
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}
