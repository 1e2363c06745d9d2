// expect: TS2339 (the JSON name is note_id, from [JsonPropertyName]: there is no id)
import type { Note } from "../generated/TypedSocketIo.TestContracts.js";

export function id(note: Note): string {
  return note.id;
}
