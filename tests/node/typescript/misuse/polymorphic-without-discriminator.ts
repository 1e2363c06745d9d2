// expect: TS2322 (a Figure is a square or a disc, said by "$type"; without it the object is neither)
import type { Figure } from "../generated/TypedSocketIo.TestContracts.js";

export const figure: Figure = { name: "sq", side: 2 };
