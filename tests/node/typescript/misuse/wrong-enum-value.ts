// expect: TS2322 (Priority is written as its names, "Low" | "High"; Shade as numbers, 0 | 1)
import type { Priority, Shade } from "../generated/TypedSocketIo.TestContracts.js";

export const priority: Priority = "Medium";
export const shade: Shade = "Dark";
