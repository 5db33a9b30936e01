// Form fields made from the API's OpenAPI schemas (GET /api/v1/openapi): one labelled input per field, with its
// default, range and description beside it, and a place beside it for the API's field error. Objects become
// fieldsets, lists of objects repeatable fieldsets, lists of numbers or words one comma-separated input.
import { el } from "./util";

/** The part of JSON Schema (OpenAPI 3.1) that Valley's spec schemas use. */
export interface JsonSchema {
  type?: string | string[];
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  format?: string;
  pattern?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
}

export type Components = Record<string, JsonSchema>;

/** A field of a form: what it reads (undefined: left out, so the API fills its default), and its errors. */
export interface Field {
  readonly element: HTMLElement;
  read(): unknown;
  set(value: unknown): void;
}

/** Where the API's field errors go: the field whose path is the longest prefix of the error's. */
export class ErrorSlots {
  private readonly slots = new Map<string, HTMLElement>();

  slot(path: string): HTMLElement {
    const span = el("span", { class: "field-error", role: "alert", "data-error-for": path });
    this.slots.set(path, span);
    return span;
  }

  clear(): void {
    for (const s of this.slots.values()) s.textContent = "";
  }

  /** Shows the error beside its field; false when no field of the form is (or holds) it. */
  show(path: string, message: string): boolean {
    let best: string | undefined;
    for (const p of this.slots.keys()) {
      const holds = path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`);
      if (holds && (best === undefined || p.length > best.length)) best = p;
    }
    if (best === undefined) return false;
    const span = this.slots.get(best)!;
    const text = best === path ? message : `${path.slice(best.length).replace(/^\./, "")}: ${message}`;
    span.textContent = span.textContent ? `${span.textContent}; ${text}` : text;
    return true;
  }
}

const ZERO_ID = "00000000-0000-0000-0000-000000000000";

export class FormBuilder {
  private next = 0;

  constructor(private readonly components: Components, readonly errors: ErrorSlots, private readonly prefix: string) {}

  /** The schema behind a $ref, and whether null is allowed beside it. */
  private resolve(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
    let nullable = false;
    let s = schema;
    const alternatives = s.anyOf ?? s.oneOf;
    if (alternatives) {
      nullable = alternatives.some((a) => a.type === "null");
      const real = alternatives.filter((a) => a.type !== "null");
      if (real.length === 1) s = { ...real[0], description: s.description ?? real[0].description };
    }
    if (s.$ref) {
      const name = s.$ref.replace("#/components/schemas/", "");
      s = { ...this.components[name], description: s.description ?? this.components[name]?.description };
    }
    const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    nullable ||= types.includes("null");
    const type = types.find((t) => t !== "null") ?? (s.properties ? "object" : undefined);
    return { schema: { ...s, type }, nullable };
  }

  /** The field for {@code schema} at {@code path} ("spec.model.hidden"), labelled {@code label}. */
  field(schema: JsonSchema, path: string, label: string): Field {
    const { schema: s, nullable } = this.resolve(schema);
    if (s.type === "object" && s.properties) return this.object(s, path, label);
    if (s.type === "array" && s.items && this.resolve(s.items).schema.type === "object") {
      return this.objectList(s, path, label);
    }
    return this.leaf(s, nullable, path, label);
  }

  private id(): string {
    return `${this.prefix}-${this.next++}`;
  }

  private object(s: JsonSchema, path: string, label: string): Field {
    const children = Object.entries(s.properties!).map(([name, child]) =>
      [name, this.field(child, `${path}.${name}`, name)] as const);
    const element = el("fieldset", { "data-field": path }, el("legend", {}, label),
      s.description ? el("p", { class: "help" }, s.description) : null,
      this.errors.slot(path), ...children.map(([, f]) => f.element));
    return {
      element,
      read() {
        const value: Record<string, unknown> = {};
        for (const [name, f] of children) {
          const v = f.read();
          if (v !== undefined) value[name] = v;
        }
        return Object.keys(value).length ? value : undefined;
      },
      set(value) {
        const v = (value ?? {}) as Record<string, unknown>;
        for (const [name, f] of children) f.set(v[name]);
      },
    };
  }

  /** A list of objects (refs to networks): one fieldset per item, and buttons to add and remove one. */
  private objectList(s: JsonSchema, path: string, label: string): Field {
    const items: Field[] = [];
    const list = el("div", { class: "items" });
    const add = el("button", { type: "button" }, `Add to ${label}`);
    const remove = el("button", { type: "button" }, `Remove from ${label}`);
    const grow = () => {
      const f = this.field(s.items!, `${path}[${items.length}]`, `${label}[${items.length}]`);
      items.push(f);
      list.append(f.element);
      return f;
    };
    const shrink = () => items.pop()?.element.remove();
    add.addEventListener("click", () => grow());
    remove.addEventListener("click", shrink);
    const element = el("fieldset", { "data-field": path }, el("legend", {}, label),
      s.description ? el("p", { class: "help" }, s.description) : null,
      this.errors.slot(path), list, add, remove);
    return {
      element,
      read() {
        // An empty item stays in its place, so that the API's errors name the index the form shows.
        return items.length ? items.map((f) => f.read() ?? {}) : undefined;
      },
      set(value) {
        const values = Array.isArray(value) ? value : [];
        while (items.length > values.length) shrink();
        while (items.length < Math.max(values.length, s.minItems ?? 0)) grow();
        items.forEach((f, i) => f.set(values[i]));
      },
    };
  }

  private leaf(s: JsonSchema, nullable: boolean, path: string, label: string): Field {
    const id = this.id();
    const help = `${id}-help`;
    const words = s.pattern && /^[a-z_-]+(\|[a-z_-]+)+$/.test(s.pattern) ? s.pattern.split("|") : null;
    const itemWords = s.items?.pattern && /^[a-z_-]+(\|[a-z_-]+)+$/.test(s.items.pattern) ? s.items.pattern : null;
    let input: HTMLInputElement | HTMLSelectElement;
    let read: () => unknown;
    let set: (v: unknown) => void;
    if (s.type === "boolean" && !nullable) {
      const box = el("input", { id, type: "checkbox", "aria-describedby": help });
      input = box;
      read = () => box.checked;
      set = (v) => { box.checked = v === true || (v === undefined && s.default === true); };
    } else if (words || s.type === "boolean") {
      const options = words ?? ["true", "false"];
      const select = el("select", { id, "aria-describedby": help },
        el("option", { value: "" }, nullable ? "(none)" : "(default)"),
        ...options.map((w) => el("option", { value: w }, w)));
      input = select;
      read = () => select.value === "" ? undefined : s.type === "boolean" ? select.value === "true" : select.value;
      set = (v) => { select.value = v === null || v === undefined ? "" : String(v); };
    } else if (s.type === "array") {
      const itemType = this.resolve(s.items ?? {}).schema.type;
      const numbers = itemType === "integer" || itemType === "number";
      const text = el("input", { id, type: "text", "aria-describedby": help, inputmode: numbers ? "decimal" : "text",
        placeholder: numbers ? "comma-separated numbers" : itemWords ? itemWords.replaceAll("|", ", ") : "comma-separated" });
      input = text;
      read = () => {
        const parts = text.value.split(",").map((p) => p.trim()).filter((p) => p !== "");
        if (!parts.length) return undefined;
        return numbers ? parts.map((p) => (/^-?[\d.eE+-]+$/.test(p) ? Number(p) : p)) : parts;
      };
      set = (v) => { text.value = Array.isArray(v) ? v.join(", ") : ""; };
    } else {
      const numeric = s.type === "integer" || s.type === "number";
      const box = el("input", { id, type: numeric ? "number" : "text", "aria-describedby": help });
      if (numeric) {
        box.step = s.type === "integer" ? "1" : "any";
        if (s.minimum !== undefined) box.min = String(s.minimum);
        if (s.maximum !== undefined) box.max = String(s.maximum);
      }
      if (s.format === "uuid") box.placeholder = "a job's or upload's id";
      // A field that is a list of numbers or a word (a swap's units: [i, j] or most-similar) reads "3, 7" as a list.
      const alternatives = (s.oneOf ?? s.anyOf ?? []).filter((a) => a.type !== "null");
      const listOrWord = alternatives.some((a) => a.type === "array");
      if (listOrWord) {
        box.placeholder = ["comma-separated numbers", ...alternatives.flatMap((a) => a.enum ?? [])].join(", or ");
      }
      input = box;
      read = () => {
        if (box.value.trim() === "") return undefined;
        if (listOrWord && /^\s*-?\d+(\s*,\s*-?\d+)*\s*$/.test(box.value)) {
          return box.value.split(",").map((p) => Number(p.trim()));
        }
        return numeric && box.value.trim() !== "" && !Number.isNaN(Number(box.value)) ? Number(box.value) : box.value;
      };
      set = (v) => {
        box.value = v === null || v === undefined || v === ZERO_ID ? "" : Array.isArray(v) ? v.join(", ") : String(v);
      };
    }
    const element = el("div", { class: "field", "data-field": path },
      el("label", { for: id }, label), input, this.errors.slot(path),
      el("small", { id: help, class: "help" }, describe(s, nullable)));
    set(s.default);
    return { element, read, set };
  }
}

/** What a field means, its range and its default, as one line of help. */
function describe(s: JsonSchema, nullable: boolean): string {
  const parts: string[] = [];
  if (s.description) parts.push(s.description);
  const low = s.minimum !== undefined ? `≥ ${s.minimum}` : s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : "";
  const high = s.maximum !== undefined ? `≤ ${s.maximum}` : s.exclusiveMaximum !== undefined ? `< ${s.exclusiveMaximum}` : "";
  if (low || high) parts.push([low, high].filter(Boolean).join(", "));
  if (s.type === "array" && (s.minItems !== undefined || s.maxItems !== undefined)) {
    parts.push(s.minItems === s.maxItems ? `${s.minItems} values` : `${s.minItems ?? 0} to ${s.maxItems ?? "any"} values`);
  }
  if (s.default !== undefined && s.default !== null) parts.push(`default ${JSON.stringify(s.default)}`);
  else if (nullable) parts.push("optional");
  return parts.join(" · ");
}
