"""The offline provider's knowledge base: real topic outlines, resources and facts as data.

A :class:`Topic` is an ordered outline (sections of concept names, basics first), project
ideas, well-known resources, code snippets and a few true/false facts. :func:`find_topic`
matches a learner's goal to a topic; goals nothing matches get a generic outline built from
the goal's key phrase (:func:`generic_topic`), human languages without an entry of their own a
language-learning outline (:func:`language_topic`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["technical", "language", "skill", "generic"]
ResourceKind = Literal["article", "video", "book", "course", "documentation", "tool", "exercise"]


@dataclass(frozen=True)
class Section:
    name: str
    concepts: tuple[str, ...]


@dataclass(frozen=True)
class ResourceSeed:
    title: str
    url: str
    """May contain ``{q}``: replaced by the URL-quoted search text."""
    type: ResourceKind
    description: str


@dataclass(frozen=True)
class Snippet:
    match: tuple[str, ...]
    """Lowercase words, one of which the concept name must contain; empty for the default."""
    lang: str
    code: str
    """May contain ``{name}``, replaced by the concept name (only ever inside comments)."""
    in_goal: bool = False
    """Also use it for every concept when the goal mentions one of the words."""


@dataclass(frozen=True)
class Topic:
    key: str
    label: str
    kind: Kind
    patterns: tuple[str, ...]
    sections: tuple[Section, ...]
    projects: tuple[str, ...] = ()
    technologies: tuple[str, ...] = ()
    resources: tuple[ResourceSeed, ...] = ()
    search: ResourceSeed | None = None
    snippets: tuple[Snippet, ...] = ()
    facts: tuple[tuple[str, bool], ...] = ()
    examples: tuple[tuple[str, str], ...] = ()
    """Example sentences with translations (language topics)."""
    typical_hours: int = 150
    stage_names: tuple[str, ...] = (
        "Getting started with {L}",
        "Core {L}",
        "Intermediate {L}",
        "Advanced {L}",
        "{L} in real projects",
    )

    def flat(self) -> list[tuple[str, str]]:
        """Every (section name, concept name), in learning order."""
        return [(s.name, c) for s in self.sections for c in s.concepts]


def _s(name: str, *concepts: str) -> Section:
    return Section(name, concepts)


def _r(title: str, url: str, kind: ResourceKind, description: str) -> ResourceSeed:
    return ResourceSeed(title, url, kind, description)


LANGUAGE_STAGES = (
    "Survival {L} (A1)",
    "Everyday {L} (A2)",
    "Independent {L} (B1)",
    "Confident {L} (B2)",
    "Fluent {L} (C1)",
)
SKILL_STAGES = (
    "{L} fundamentals",
    "Building {L} technique",
    "Developing your {L} skills",
    "Advanced {L}",
    "Expressive and creative {L}",
)

_RUST_SNIPPETS = (
    Snippet(
        ("option", "enum", "pattern", "match"),
        "rust",
        """// {name}
enum Shape {
    Circle { radius: f64 },
    Rect { w: f64, h: f64 },
}

fn area(shape: &Shape) -> f64 {
    match shape {
        Shape::Circle { radius } => std::f64::consts::PI * radius * radius,
        Shape::Rect { w, h } => w * h,
    }
}

fn main() {
    let shapes = [Shape::Circle { radius: 1.0 }, Shape::Rect { w: 2.0, h: 3.0 }];
    let biggest: Option<f64> = shapes.iter().map(area).reduce(f64::max);
    if let Some(a) = biggest {
        println!("largest area: {a:.2}");
    }
}""",
    ),
    Snippet(
        ("trait", "generic"),
        "rust",
        """// {name}
trait Describe {
    fn describe(&self) -> String;
}

struct Book { title: String }

impl Describe for Book {
    fn describe(&self) -> String {
        format!("the book '{}'", self.title)
    }
}

fn announce<T: Describe>(item: &T) {
    println!("Now reading {}", item.describe());
}

fn main() {
    announce(&Book { title: "The Rust Programming Language".into() });
}""",
    ),
    Snippet(
        ("iterator", "closure"),
        "rust",
        """// {name}
fn main() {
    let words = ["ownership", "borrowing", "lifetimes", "traits"];
    let min_len = 8;
    let long_upper: Vec<String> = words
        .iter()
        .filter(|w| w.len() > min_len) // the closure captures `min_len`
        .map(|w| w.to_uppercase())
        .collect();
    println!("{long_upper:?}");
}""",
    ),
    Snippet(
        ("thread", "mutex", "channel", "send and sync"),
        "rust",
        """// {name}
use std::sync::{Arc, Mutex};
use std::thread;

fn main() {
    let counter = Arc::new(Mutex::new(0));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let counter = Arc::clone(&counter);
            thread::spawn(move || *counter.lock().unwrap() += 1)
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    println!("count = {}", *counter.lock().unwrap());
}""",
    ),
    Snippet(
        ("async", "future", "tokio"),
        "rust",
        """// {name} — Cargo.toml: tokio = { version = "1", features = ["full"] }
use tokio::time::{sleep, Duration};

async fn fetch(id: u32) -> String {
    sleep(Duration::from_millis(100 * id as u64)).await;
    format!("result {id}")
}

#[tokio::main]
async fn main() {
    let (a, b) = tokio::join!(fetch(1), fetch(2)); // both run concurrently
    println!("{a}, {b}");
}""",
    ),
)

_PYTHON_SNIPPETS = (
    Snippet(
        ("generator", "iterator"),
        "python",
        """# {name}
from collections.abc import Iterator


def countdown(n: int) -> Iterator[int]:
    while n > 0:
        yield n  # pauses here until the next value is requested
        n -= 1


print(list(countdown(3)))
print(sum(x * x for x in range(10)))  # a generator expression""",
    ),
    Snippet(
        ("decorator",),
        "python",
        """# {name}
import functools
import time


def timed(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            print(f"{func.__name__} took {time.perf_counter() - start:.3f}s")

    return wrapper


@timed
def slow_sum(n: int) -> int:
    return sum(range(n))


slow_sum(1_000_000)""",
    ),
    Snippet(
        ("asyncio", "async"),
        "python",
        """# {name}
import asyncio


async def fetch(name: str, delay: float) -> str:
    await asyncio.sleep(delay)  # stands in for network I/O
    return f"{name} done"


async def main() -> None:
    results = await asyncio.gather(fetch("a", 0.2), fetch("b", 0.1))
    print(results)


asyncio.run(main())""",
    ),
    Snippet(
        ("test", "pytest"),
        "python",
        """# {name} — save as test_slug.py and run `pytest`
import pytest


def slugify(text: str) -> str:
    return "-".join(text.lower().split())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Hello World", "hello-world"), ("  spaced  out ", "spaced-out")],
)
def test_slugify(raw: str, expected: str) -> None:
    assert slugify(raw) == expected""",
    ),
    Snippet(
        ("exception", "error"),
        "python",
        """# {name}
import json


def load_config(path: str) -> dict[str, object]:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return {}  # a missing file just means "use the defaults"
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from exc


print(load_config("does-not-exist.json"))""",
    ),
    Snippet(
        ("comprehension", "lists", "dictionaries", "sets", "tuples", "slicing"),
        "python",
        """# {name}
scores = {"ana": 91, "ben": 78, "chen": 85}

passed = [name for name, score in scores.items() if score >= 80]
by_grade = {name: ("A" if s >= 90 else "B") for name, s in scores.items() if s >= 80}
first, *rest = sorted(scores, key=scores.get, reverse=True)

print(passed, by_grade, first, rest)""",
    ),
)

_GO_SNIPPETS = (
    Snippet(
        ("error",),
        "go",
        """// {name}
package main

import (
	"errors"
	"fmt"
	"os"
)

var ErrEmpty = errors.New("empty config")

func load(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	if len(data) == 0 {
		return nil, ErrEmpty
	}
	return data, nil
}

func main() {
	_, err := load("missing.toml")
	fmt.Println(err, errors.Is(err, os.ErrNotExist))
}""",
    ),
    Snippet(
        ("interface", "struct", "method", "embedding"),
        "go",
        """// {name}
package main

import (
	"fmt"
	"math"
)

type Shape interface {
	Area() float64
}

type Circle struct{ R float64 }
type Rect struct{ W, H float64 }

func (c Circle) Area() float64 { return math.Pi * c.R * c.R }
func (r Rect) Area() float64   { return r.W * r.H }

func main() {
	for _, s := range []Shape{Circle{1}, Rect{2, 3}} {
		fmt.Printf("%T: %.2f\\n", s, s.Area())
	}
}""",
    ),
    Snippet(
        ("http",),
        "go",
        """// {name}
package main

import (
	"encoding/json"
	"log"
	"net/http"
)

func main() {
	http.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
	})
	log.Fatal(http.ListenAndServe(":8080", nil))
}""",
    ),
)

_SQL_SNIPPETS = (
    Snippet(
        ("index", "explain", "query plan"),
        "sql",
        """-- {name}
CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at);

EXPLAIN ANALYZE
SELECT id, total
FROM orders
WHERE customer_id = 42
  AND created_at >= now() - interval '30 days'
ORDER BY created_at DESC;""",
    ),
    Snippet(
        ("create table", "keys", "constraint", "normaliz", "entity", "insert"),
        "sql",
        """-- {name}
CREATE TABLE authors (
    id   integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE
);

CREATE TABLE books (
    id        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id integer NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    title     text NOT NULL,
    published date CHECK (published > DATE '1450-01-01')
);

INSERT INTO authors (name) VALUES ('Ursula K. Le Guin');""",
    ),
    Snippet(
        ("transaction", "isolation", "locking", "acid"),
        "sql",
        """-- {name}
BEGIN ISOLATION LEVEL REPEATABLE READ;

UPDATE accounts SET balance = balance - 100 WHERE id = 1;
UPDATE accounts SET balance = balance + 100 WHERE id = 2;

-- both updates become visible together, or not at all
COMMIT;""",
    ),
)

_ML_SNIPPETS = (
    Snippet(
        ("pandas", "dataframe", "cleaning", "exploratory", "statistics", "visualisation"),
        "python",
        """# {name}
import pandas as pd

df = pd.DataFrame(
    {"city": ["Oslo", "Lima", "Oslo", None], "temp": [3.5, 19.0, None, 12.0]}
)
df = df.dropna(subset=["city"])
df["temp"] = df["temp"].fillna(df["temp"].median())
print(df.groupby("city")["temp"].agg(["mean", "count"]))
print(df.describe())""",
    ),
    Snippet(
        ("neural", "backpropagation", "pytorch", "convolutional", "recurrent", "transformer"),
        "python",
        """# {name}: a tiny PyTorch training loop
import torch
from torch import nn

X = torch.randn(256, 4)
y = (X.sum(dim=1, keepdim=True) > 0).float()
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = nn.BCEWithLogitsLoss()

for epoch in range(100):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()  # backpropagation computes the gradients
    optimizer.step()
print(f"final loss: {loss.item():.3f}")""",
    ),
)

RUST = Topic(
    key="rust",
    label="Rust",
    kind="technical",
    patterns=(r"\brust(lang)?\b",),
    technologies=("Rust", "Cargo", "rustup", "Clippy", "Tokio", "Serde"),
    sections=(
        _s(
            "Getting started",
            "Installing Rust with rustup",
            "Cargo and project layout",
            "Variables and mutability",
            "Scalar and compound data types",
            "Functions and expressions",
            "Control flow: if, loop, while and for",
        ),
        _s(
            "Ownership and borrowing",
            "Ownership and moves",
            "References and borrowing",
            "Slices",
            "Copy and Clone",
        ),
        _s(
            "Structuring data",
            "Structs and methods",
            "Enums and pattern matching",
            "Option and null safety",
            "Modules, crates and visibility",
        ),
        _s(
            "Collections and error handling",
            "Vectors",
            "Strings and UTF-8",
            "Hash maps",
            "Error handling with Result",
            "The ? operator and error propagation",
            "Panics and when to use them",
        ),
        _s(
            "Generics, traits and lifetimes",
            "Generics",
            "Traits and trait bounds",
            "Lifetimes",
            "Closures",
            "Iterators and iterator adapters",
            "Writing tests with cargo test",
            "Documentation comments and rustdoc",
        ),
        _s(
            "Smart pointers and advanced types",
            "Box and heap allocation",
            "Rc and reference counting",
            "RefCell and interior mutability",
            "Deref and Drop",
            "Trait objects and dynamic dispatch",
            "Associated types and advanced traits",
            "Pattern matching in depth",
        ),
        _s(
            "Concurrency and async",
            "Threads with std::thread",
            "Message passing with channels",
            "Shared state with Mutex and Arc",
            "Async/await fundamentals",
            "Futures and the Tokio runtime",
            "Send and Sync",
        ),
        _s(
            "Expert Rust",
            "Declarative macros with macro_rules!",
            "Procedural macros",
            "Unsafe Rust and raw pointers",
            "FFI: calling C from Rust",
            "Serialization with Serde",
            "Benchmarking and profiling",
            "Cargo workspaces and publishing crates",
            "Idiomatic Rust with Clippy",
        ),
    ),
    projects=(
        "Project: a command-line grep clone",
        "Project: a multithreaded web server",
        "Project: a JSON API with Axum",
        "Project: a concurrent web crawler",
        "Project: a text-adventure game engine",
    ),
    resources=(
        _r(
            "The Rust Programming Language",
            "https://doc.rust-lang.org/book/",
            "book",
            "The official book, free online; the standard way to learn Rust.",
        ),
        _r(
            "Rust by Example",
            "https://doc.rust-lang.org/rust-by-example/",
            "documentation",
            "Runnable examples for every language feature.",
        ),
        _r(
            "Rustlings",
            "https://github.com/rust-lang/rustlings",
            "exercise",
            "Small exercises that make you fix and finish Rust code.",
        ),
        _r(
            "Exercism Rust track",
            "https://exercism.org/tracks/rust",
            "exercise",
            "Practice problems with optional mentoring.",
        ),
        _r(
            "Rust Playground",
            "https://play.rust-lang.org/",
            "tool",
            "Run and share Rust snippets in the browser.",
        ),
    ),
    search=_r(
        "Rust standard library docs",
        "https://doc.rust-lang.org/std/?search={q}",
        "documentation",
        "Search the official standard library documentation.",
    ),
    snippets=(
        *_RUST_SNIPPETS,
        Snippet(
            ("result", "error", "? operator", "panic"),
            "rust",
            """// {name}
use std::num::ParseIntError;

fn parse_sum(a: &str, b: &str) -> Result<i32, ParseIntError> {
    let x: i32 = a.trim().parse()?; // `?` returns early on error
    let y: i32 = b.trim().parse()?;
    Ok(x + y)
}

fn main() {
    match parse_sum("40", "2") {
        Ok(total) => println!("total = {total}"),
        Err(e) => eprintln!("could not parse: {e}"),
    }
}""",
        ),
        Snippet(
            (),
            "rust",
            """// {name}: run it with `cargo run` or in the Rust Playground
fn longest<'a>(a: &'a str, b: &'a str) -> &'a str {
    if a.len() >= b.len() { a } else { b }
}

fn main() {
    let owned = String::from("ownership");
    let borrowed = &owned; // borrow: `owned` stays usable
    let words = vec!["borrowing", "lifetimes"];
    let total: usize = words.iter().map(|w| w.len()).sum();
    println!("{} / {} / {total}", longest(borrowed, words[0]), owned);
}""",
        ),
    ),
    facts=(
        ("In safe Rust, each value has exactly one owner at a time.", True),
        ("Rust frees memory with a tracing garbage collector.", False),
        ("A Rust variable is immutable unless it is declared with `mut`.", True),
        ("Result<T, E> is Rust's usual type for recoverable errors.", True),
        ("Safe Rust lets you hold several mutable references to one value at once.", False),
    ),
    typical_hours=160,
)

PYTHON = Topic(
    key="python",
    label="Python",
    kind="technical",
    patterns=(r"\bpython\b", r"\bdjango\b", r"\bflask\b", r"\bfastapi\b"),
    technologies=("Python", "pip", "venv", "pytest", "mypy", "ruff"),
    sections=(
        _s(
            "Python basics",
            "Installing Python and using the REPL",
            "Variables and basic types",
            "Strings and f-strings",
            "Numbers and arithmetic",
            "Conditionals",
            "Loops with for and while",
            "Functions and arguments",
        ),
        _s(
            "Data structures",
            "Lists",
            "Tuples",
            "Dictionaries",
            "Sets",
            "Comprehensions",
            "Slicing and unpacking",
        ),
        _s(
            "Structuring programs",
            "Modules and packages",
            "Virtual environments and pip",
            "Reading and writing files",
            "Working with JSON and CSV",
            "Exceptions and error handling",
            "Command-line tools with argparse",
            "A tour of the standard library",
        ),
        _s(
            "Object-oriented Python",
            "Classes and objects",
            "Inheritance and composition",
            "Dunder methods and the data model",
            "Dataclasses",
            "Properties and descriptors",
        ),
        _s(
            "Pythonic code",
            "Iterators and generators",
            "Decorators",
            "Context managers",
            "Lambdas and functional tools",
            "Type hints and mypy",
            "Regular expressions",
        ),
        _s(
            "Testing and tooling",
            "Testing with pytest",
            "Debugging with pdb",
            "Logging",
            "Linting and formatting with ruff",
            "Packaging with pyproject.toml",
        ),
        _s(
            "Advanced Python",
            "Concurrency with threading",
            "Multiprocessing",
            "asyncio and async/await",
            "Calling HTTP APIs",
            "Databases with sqlite3 and SQLAlchemy",
            "Profiling and performance",
            "The GIL and free-threading",
            "Metaclasses",
        ),
    ),
    projects=(
        "Project: a command-line to-do manager",
        "Project: a web scraper that writes CSV",
        "Project: a REST API with FastAPI",
        "Project: automate a boring spreadsheet task",
    ),
    resources=(
        _r(
            "The Python Tutorial",
            "https://docs.python.org/3/tutorial/",
            "documentation",
            "The official tutorial from python.org.",
        ),
        _r(
            "Real Python",
            "https://realpython.com/",
            "article",
            "In-depth tutorials on almost every Python topic.",
        ),
        _r(
            "Automate the Boring Stuff with Python",
            "https://automatetheboringstuff.com/",
            "book",
            "A free, practical book for beginners.",
        ),
        _r(
            "Exercism Python track",
            "https://exercism.org/tracks/python",
            "exercise",
            "Practice problems with optional mentoring.",
        ),
        _r(
            "Python Package Index",
            "https://pypi.org/",
            "tool",
            "Find and install third-party packages.",
        ),
    ),
    search=_r(
        "Python documentation",
        "https://docs.python.org/3/search.html?q={q}",
        "documentation",
        "Search the official Python documentation.",
    ),
    snippets=(
        *_PYTHON_SNIPPETS,
        Snippet(
            (),
            "python",
            """# {name}: run it, then change it and predict the output first
from dataclasses import dataclass


@dataclass
class Reading:
    sensor: str
    value: float


def average(readings: list[Reading]) -> dict[str, float]:
    totals: dict[str, list[float]] = {}
    for r in readings:
        totals.setdefault(r.sensor, []).append(r.value)
    return {name: sum(vs) / len(vs) for name, vs in totals.items()}


print(average([Reading("a", 1.0), Reading("a", 3.0), Reading("b", 2.5)]))""",
        ),
    ),
    facts=(
        ("Python lists are mutable, tuples are not.", True),
        ("Indentation is only a style convention in Python and never changes behaviour.", False),
        ("A Python dictionary maps hashable keys to values.", True),
        ("pip installs packages from the Python Package Index (PyPI) by default.", True),
    ),
    typical_hours=120,
)

JAVASCRIPT = Topic(
    key="javascript",
    label="JavaScript and TypeScript",
    kind="technical",
    patterns=(
        r"\bjavascript\b",
        r"\btypescript\b",
        r"\bnode(\.?js)?\b",
        r"\bjs\b",
        r"\bdeno\b",
        r"\becmascript\b",
    ),
    technologies=("JavaScript", "TypeScript", "Node.js", "npm", "Vite", "ESLint"),
    sections=(
        _s(
            "JavaScript basics",
            "Running JavaScript in the browser and Node.js",
            "Variables: let, const and var",
            "Primitive types and type coercion",
            "Operators and strict equality",
            "Conditionals and loops",
            "Functions and arrow functions",
        ),
        _s(
            "Working with data",
            "Objects",
            "Arrays and array methods",
            "Destructuring and spread",
            "Template literals",
            "JSON",
            "Map and Set",
        ),
        _s(
            "How JavaScript works",
            "Scope and closures",
            "this and binding",
            "Prototypes and classes",
            "ES modules: import and export",
            "Error handling with try/catch",
        ),
        _s(
            "Asynchronous JavaScript",
            "The event loop",
            "Callbacks",
            "Promises",
            "async/await",
            "fetch and HTTP requests",
        ),
        _s(
            "The browser and Node.js",
            "DOM manipulation",
            "Browser events",
            "npm and package.json",
            "Files and streams in Node.js",
            "A REST API with Express",
        ),
        _s(
            "TypeScript",
            "TypeScript setup and tsconfig",
            "Type annotations and inference",
            "Interfaces and type aliases",
            "Union and intersection types",
            "Narrowing and type guards",
            "Generics in TypeScript",
            "Utility types",
            "Literal types and enums",
            "Declaration files and typing libraries",
        ),
        _s(
            "Tooling and advanced topics",
            "Testing with Vitest",
            "Linting with ESLint and formatting with Prettier",
            "Bundling with Vite and esbuild",
            "Iterators and generators",
            "Web Workers",
            "Performance and memory",
        ),
    ),
    projects=(
        "Project: an interactive to-do list",
        "Project: a weather dashboard using a public API",
        "Project: a typed CLI tool with Node.js",
        "Project: a full-stack notes app",
    ),
    resources=(
        _r(
            "MDN JavaScript Guide",
            "https://developer.mozilla.org/en-US/docs/Web/JavaScript/Guide",
            "documentation",
            "Mozilla's reference-quality guide to the language.",
        ),
        _r(
            "The Modern JavaScript Tutorial",
            "https://javascript.info/",
            "article",
            "A thorough tutorial from the basics to advanced topics.",
        ),
        _r(
            "TypeScript Handbook",
            "https://www.typescriptlang.org/docs/handbook/intro.html",
            "documentation",
            "The official TypeScript handbook.",
        ),
        _r(
            "Eloquent JavaScript",
            "https://eloquentjavascript.net/",
            "book",
            "A free book with exercises.",
        ),
        _r(
            "TypeScript Playground",
            "https://www.typescriptlang.org/play",
            "tool",
            "Try TypeScript in the browser and see the emitted JavaScript.",
        ),
    ),
    search=_r(
        "MDN Web Docs",
        "https://developer.mozilla.org/en-US/search?q={q}",
        "documentation",
        "Search MDN, the reference for JavaScript and web APIs.",
    ),
    snippets=(
        Snippet(
            (
                "typescript",
                "interface",
                "union",
                "narrowing",
                "utility types",
                "declaration files",
                "literal types",
                "generics in",
                "tsconfig",
                "annotations",
            ),
            "typescript",
            """// {name}
interface Task {
  id: number;
  title: string;
  done: boolean;
}

function pending(tasks: Task[]): string[] {
  return tasks.filter((t) => !t.done).map((t) => t.title);
}

console.log(pending([{ id: 1, title: "learn generics", done: false }]));""",
            in_goal=True,
        ),
        Snippet(
            (),
            "javascript",
            """// {name}: run it with `node example.js` or in the browser console
async function fetchTitles(urls) {
  const results = await Promise.all(
    urls.map(async (url) => {
      const response = await fetch(url);
      return response.ok ? (await response.json()).title : null;
    }),
  );
  return results.filter((title) => title !== null);
}

const [first, ...rest] = [1, 2, 3];
console.log(first, rest);""",
        ),
    ),
    facts=(
        ("`===` compares two values without type coercion.", True),
        ("Declaring an object with `const` makes it deeply immutable.", False),
        ("An async function always returns a Promise.", True),
        ("TypeScript types are checked at compile time and erased from the output.", True),
    ),
    typical_hours=140,
)

GO = Topic(
    key="go",
    label="Go",
    kind="technical",
    patterns=(
        r"\bgolang\b",
        r"\bgo (language|lang|programming|developer|backend|services?|concurrency|modules?)\b",
        r"\b(learn|learning|master|in|with|using|write|writing) go\b",
    ),
    technologies=("Go", "go modules", "gofmt", "pprof", "net/http"),
    sections=(
        _s(
            "Go basics",
            "Installing Go and the go command",
            "Packages and the main function",
            "Variables, constants and basic types",
            "Control flow: if, for and switch",
            "Functions and multiple return values",
            "Pointers",
        ),
        _s(
            "Types and data",
            "Arrays and slices",
            "Maps",
            "Strings, bytes and runes",
            "Structs",
            "Methods",
            "Interfaces",
            "Embedding and composition",
        ),
        _s(
            "Errors, modules and testing",
            "Error handling with error values",
            "Wrapping errors with errors.Is and errors.As",
            "defer, panic and recover",
            "Go modules and dependency management",
            "Testing with go test",
            "Table-driven tests",
            "Benchmarks",
        ),
        _s(
            "Concurrency",
            "Goroutines",
            "Channels",
            "The select statement",
            "sync.WaitGroup and Mutex",
            "The context package",
            "Pipelines and worker pools",
            "The race detector",
        ),
        _s(
            "The standard library",
            "HTTP servers with net/http",
            "HTTP clients",
            "JSON with encoding/json",
            "io.Reader and io.Writer",
            "Files and the os package",
            "Structured logging with log/slog",
            "Command-line flags",
        ),
        _s(
            "Advanced Go",
            "Generics and type parameters",
            "Reflection",
            "Profiling with pprof",
            "Escape analysis and the memory model",
            "Building and cross-compiling",
            "Databases with database/sql",
            "gRPC services",
            "Static analysis with go vet and staticcheck",
        ),
    ),
    projects=(
        "Project: a URL shortener service",
        "Project: a concurrent file downloader",
        "Project: a CLI that talks to a REST API",
        "Project: a chat server with goroutines",
    ),
    resources=(
        _r("A Tour of Go", "https://go.dev/tour/", "course", "The official interactive tour."),
        _r(
            "Effective Go",
            "https://go.dev/doc/effective_go",
            "documentation",
            "How to write clear, idiomatic Go.",
        ),
        _r("Go by Example", "https://gobyexample.com/", "article", "Annotated example programs."),
        _r(
            "Exercism Go track",
            "https://exercism.org/tracks/go",
            "exercise",
            "Practice problems with optional mentoring.",
        ),
        _r("Go Playground", "https://go.dev/play/", "tool", "Run Go snippets in the browser."),
    ),
    search=_r(
        "Go packages",
        "https://pkg.go.dev/search?q={q}",
        "documentation",
        "Search the Go standard library and module documentation.",
    ),
    snippets=(
        *_GO_SNIPPETS,
        Snippet(
            (),
            "go",
            """// {name}: run it with `go run main.go`
package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	results := make(chan int, 3)
	for i := 1; i <= 3; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			results <- n * n
		}(i)
	}
	wg.Wait()
	close(results)
	for r := range results {
		fmt.Println(r)
	}
}""",
        ),
    ),
    facts=(
        ("Go functions can return multiple values.", True),
        ("Goroutines are scheduled by the Go runtime, not one OS thread each.", True),
        ("Go handles errors with try/catch exceptions.", False),
        ("An identifier starting with a capital letter is exported from its package.", True),
    ),
    typical_hours=110,
)

SQL = Topic(
    key="sql",
    label="SQL and databases",
    kind="technical",
    patterns=(
        r"\bsql\b",
        r"\bpostgres(ql)?\b",
        r"\bmysql\b",
        r"\bsqlite\b",
        r"\bdatabases?\b",
        r"\brelational\b",
    ),
    technologies=("SQL", "PostgreSQL", "SQLite", "psql"),
    sections=(
        _s(
            "Querying basics",
            "Relational databases and tables",
            "Installing PostgreSQL or SQLite",
            "SELECT and FROM",
            "Filtering with WHERE",
            "Sorting with ORDER BY and LIMIT",
            "Data types",
            "NULL and three-valued logic",
        ),
        _s(
            "Combining and summarising data",
            "Aggregate functions",
            "GROUP BY and HAVING",
            "INNER JOIN",
            "LEFT and RIGHT OUTER JOIN",
            "Self joins and cross joins",
            "Subqueries",
            "UNION, INTERSECT and EXCEPT",
        ),
        _s(
            "Designing schemas",
            "INSERT, UPDATE and DELETE",
            "CREATE TABLE and constraints",
            "Primary and foreign keys",
            "Normalization from 1NF to 3NF",
            "Entity-relationship modelling",
            "Views",
        ),
        _s(
            "Advanced queries",
            "Common table expressions",
            "Recursive CTEs",
            "Window functions",
            "CASE expressions",
            "String and date functions",
            "JSON in SQL",
        ),
        _s(
            "Performance and transactions",
            "Indexes and B-trees",
            "Reading query plans with EXPLAIN",
            "Transactions and ACID",
            "Isolation levels",
            "Locking and concurrency",
            "Stored procedures and functions",
            "Triggers",
        ),
        _s(
            "Running databases",
            "Backup and restore",
            "Roles and permissions",
            "Replication",
            "Partitioning",
            "Schema migrations",
            "SQL from application code",
            "NoSQL and when to use it",
        ),
    ),
    projects=(
        "Project: design a library database",
        "Project: analyse an open data set with SQL",
        "Project: tune a slow query end to end",
    ),
    resources=(
        _r(
            "PostgreSQL documentation",
            "https://www.postgresql.org/docs/current/",
            "documentation",
            "The official manual, including a tutorial.",
        ),
        _r("SQLBolt", "https://sqlbolt.com/", "exercise", "Interactive SQL lessons."),
        _r(
            "Use The Index, Luke",
            "https://use-the-index-luke.com/",
            "book",
            "A free guide to SQL indexing and performance.",
        ),
        _r(
            "SQLite documentation",
            "https://www.sqlite.org/docs.html",
            "documentation",
            "Reference for the embedded SQL database.",
        ),
        _r("DB Fiddle", "https://www.db-fiddle.com/", "tool", "Run SQL in the browser."),
    ),
    search=_r(
        "PostgreSQL documentation",
        "https://www.postgresql.org/search/?q={q}",
        "documentation",
        "Search the PostgreSQL manual.",
    ),
    snippets=(
        *_SQL_SNIPPETS,
        Snippet(
            (),
            "sql",
            """-- {name}
SELECT c.name,
       COUNT(o.id)                          AS orders,
       COALESCE(SUM(o.total), 0)            AS revenue,
       RANK() OVER (ORDER BY SUM(o.total) DESC) AS revenue_rank
FROM customers AS c
LEFT JOIN orders AS o ON o.customer_id = c.id
WHERE c.created_at >= DATE '2024-01-01'
GROUP BY c.name
HAVING COUNT(o.id) > 0
ORDER BY revenue DESC;""",
        ),
    ),
    facts=(
        ("WHERE filters rows before grouping; HAVING filters groups after it.", True),
        ("In SQL, NULL = NULL evaluates to TRUE.", False),
        ("A LEFT JOIN keeps every row of the left table.", True),
        ("An index can speed up reads but adds work to every write.", True),
    ),
    typical_hours=80,
)

MACHINE_LEARNING = Topic(
    key="ml",
    label="machine learning",
    kind="technical",
    patterns=(
        r"\bmachine[ -]learning\b",
        r"\bdata scien",
        r"\bml\b",
        r"\bdeep learning\b",
        r"\bneural net",
        r"\bpandas\b",
        r"\bscikit",
        r"\bpytorch\b",
        r"\btensorflow\b",
        r"\bdata analy",
        r"\bartificial intelligence\b",
        r"\bai\b",
    ),
    technologies=("Python", "NumPy", "pandas", "scikit-learn", "PyTorch", "Jupyter"),
    sections=(
        _s(
            "Working with data",
            "NumPy arrays",
            "pandas DataFrames",
            "Data cleaning",
            "Exploratory data analysis",
            "Visualisation with Matplotlib and seaborn",
            "Descriptive statistics",
            "Probability basics",
        ),
        _s(
            "Mathematics for ML",
            "Linear algebra for ML",
            "Calculus and gradients",
            "Probability distributions",
            "Hypothesis testing",
        ),
        _s(
            "Supervised learning",
            "The machine learning workflow",
            "Train/test split and cross-validation",
            "Linear regression",
            "Logistic regression",
            "k-nearest neighbours",
            "Decision trees",
            "Random forests",
            "Gradient boosting",
            "Support vector machines",
        ),
        _s(
            "Evaluating and improving models",
            "Accuracy, precision and recall",
            "ROC curves and AUC",
            "Overfitting, bias and variance",
            "Regularization",
            "Feature engineering",
            "Hyperparameter tuning",
            "Pipelines with scikit-learn",
        ),
        _s(
            "Unsupervised learning",
            "k-means clustering",
            "Hierarchical clustering",
            "Principal component analysis",
            "Anomaly detection",
        ),
        _s(
            "Deep learning",
            "Neural network fundamentals",
            "Backpropagation",
            "Training neural networks with PyTorch",
            "Convolutional neural networks",
            "Recurrent networks and sequence models",
            "Transformers and attention",
            "Transfer learning",
            "Natural language processing basics",
        ),
        _s(
            "ML in production",
            "Experiment tracking",
            "Model deployment",
            "Monitoring models in production",
            "Responsible AI and fairness",
        ),
    ),
    projects=(
        "Project: predict house prices end to end",
        "Project: a Kaggle competition submission",
        "Project: an image classifier with transfer learning",
        "Project: deploy a model behind an API",
    ),
    resources=(
        _r(
            "scikit-learn user guide",
            "https://scikit-learn.org/stable/user_guide.html",
            "documentation",
            "Explanations and examples for classical ML algorithms.",
        ),
        _r(
            "Google Machine Learning Crash Course",
            "https://developers.google.com/machine-learning/crash-course",
            "course",
            "A free, fast-paced introduction with exercises.",
        ),
        _r(
            "Practical Deep Learning for Coders",
            "https://course.fast.ai/",
            "course",
            "fast.ai's free, code-first deep learning course.",
        ),
        _r(
            "Kaggle Learn",
            "https://www.kaggle.com/learn",
            "exercise",
            "Short hands-on courses in notebooks.",
        ),
        _r("Dive into Deep Learning", "https://d2l.ai/", "book", "An interactive book with code."),
        _r(
            "PyTorch tutorials",
            "https://pytorch.org/tutorials/",
            "documentation",
            "Official tutorials for PyTorch.",
        ),
    ),
    search=_r(
        "scikit-learn documentation",
        "https://scikit-learn.org/stable/search.html?q={q}",
        "documentation",
        "Search the scikit-learn documentation.",
    ),
    snippets=(
        *_ML_SNIPPETS,
        Snippet(
            (),
            "python",
            """# {name}: a minimal, reproducible scikit-learn experiment
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

X, y = load_iris(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
model = LogisticRegression(max_iter=500).fit(X_train, y_train)
print(f"test accuracy: {model.score(X_test, y_test):.2f}")""",
        ),
    ),
    facts=(
        ("Scoring a model on its own training data overestimates how well it generalises.", True),
        ("Accuracy is always the best metric for heavily imbalanced classes.", False),
        ("k-means is an unsupervised learning algorithm.", True),
        ("Regularization penalises model complexity to reduce overfitting.", True),
    ),
    typical_hours=200,
)

WEB = Topic(
    key="web",
    label="web development",
    kind="technical",
    patterns=(
        r"\bweb ?(dev|development|developer|design|apps?|sites?)\b",
        r"\bhtml\b",
        r"\bcss\b",
        r"\breact\b",
        r"\bfront[- ]?end\b",
        r"\bwebsites?\b",
        r"\bnext\.?js\b",
    ),
    technologies=("HTML", "CSS", "JavaScript", "React", "Vite", "Git"),
    sections=(
        _s(
            "HTML foundations",
            "How the web works: HTTP, browsers and servers",
            "HTML document structure",
            "Text, links and images",
            "Lists and tables",
            "Forms and inputs",
            "Semantic HTML",
            "Accessibility basics",
        ),
        _s(
            "CSS and layout",
            "CSS selectors and specificity",
            "The box model",
            "Typography and colour",
            "Flexbox",
            "CSS Grid",
            "Responsive design and media queries",
            "CSS custom properties",
            "Transitions and animations",
        ),
        _s(
            "JavaScript in the browser",
            "JavaScript essentials for the web",
            "DOM manipulation",
            "Handling events",
            "Fetching data from APIs",
            "Browser storage",
        ),
        _s(
            "React",
            "React components and JSX",
            "Props",
            "State with useState",
            "Effects with useEffect",
            "Lists and keys",
            "Forms in React",
            "Lifting state up and composition",
            "Custom hooks",
            "React context",
            "Routing with React Router",
        ),
        _s(
            "Tooling",
            "Git and GitHub",
            "npm and package management",
            "Build tooling with Vite",
            "Testing React components",
            "TypeScript with React",
        ),
        _s(
            "Shipping websites",
            "Web performance",
            "SEO basics",
            "Web security: XSS, CSRF and CORS",
            "Deploying a static site",
            "Server-side rendering with Next.js",
            "Progressive web apps",
        ),
    ),
    projects=(
        "Project: a responsive personal portfolio",
        "Project: a landing page built with CSS Grid",
        "Project: a React app backed by a public API",
        "Project: deploy a full site with a custom domain",
    ),
    resources=(
        _r(
            "MDN: Learn web development",
            "https://developer.mozilla.org/en-US/docs/Learn_web_development",
            "course",
            "Mozilla's structured curriculum for HTML, CSS and JavaScript.",
        ),
        _r(
            "React documentation",
            "https://react.dev/learn",
            "documentation",
            "The official guide to React.",
        ),
        _r("web.dev Learn", "https://web.dev/learn", "course", "Google's courses on CSS and more."),
        _r(
            "freeCodeCamp",
            "https://www.freecodecamp.org/learn",
            "exercise",
            "Free interactive web development certifications.",
        ),
        _r(
            "The Odin Project",
            "https://www.theodinproject.com/",
            "course",
            "A free, project-based full-stack curriculum.",
        ),
    ),
    search=_r(
        "MDN Web Docs",
        "https://developer.mozilla.org/en-US/search?q={q}",
        "documentation",
        "Search MDN, the reference for HTML, CSS and web APIs.",
    ),
    snippets=(
        Snippet(
            ("react", "jsx", "props", "state", "hooks", "useeffect", "context", "routing"),
            "jsx",
            """// {name}
import { useState } from "react";

export function Counter({ label }) {
  const [count, setCount] = useState(0);
  return (
    <button onClick={() => setCount((c) => c + 1)}>
      {label}: {count}
    </button>
  );
}""",
        ),
        Snippet(
            (
                "css",
                "flexbox",
                "box model",
                "typography",
                "responsive",
                "animations",
                "selectors",
            ),
            "css",
            """/* {name} */
.cards {
  display: grid;
  grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr));
  gap: 1rem;
}

.card {
  display: flex;
  flex-direction: column;
  padding: 1rem;
  border-radius: 0.5rem;
}""",
        ),
        Snippet(
            (),
            "html",
            """<!-- {name} -->
<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>My page</title>
  </head>
  <body>
    <header><nav><a href="/">Home</a></nav></header>
    <main>
      <h1>Hello, web</h1>
      <form><label>Email <input type="email" name="email" required></label></form>
    </main>
  </body>
</html>""",
        ),
    ),
    facts=(
        ("Flexbox lays items out in one dimension; CSS Grid in two.", True),
        ("In React you should mutate state objects directly instead of using the setter.", False),
        ("Semantic elements such as <nav> and <main> help assistive technologies.", True),
        ("HTTP is a stateless protocol.", True),
    ),
    typical_hours=160,
)

DEVOPS = Topic(
    key="devops",
    label="Docker and Kubernetes",
    kind="technical",
    patterns=(
        r"\bkubernetes\b",
        r"\bk8s\b",
        r"\bdocker\b",
        r"\bdevops\b",
        r"\bcontainers?\b",
        r"\bhelm\b",
        r"\bci/?cd\b",
        r"\bterraform\b",
        r"\bsre\b",
    ),
    technologies=("Docker", "Kubernetes", "kubectl", "Helm", "Prometheus", "Terraform"),
    sections=(
        _s(
            "Containers with Docker",
            "Containers versus virtual machines",
            "Installing Docker",
            "Running containers",
            "Images and layers",
            "Writing a Dockerfile",
            "Multi-stage builds",
            "Volumes and bind mounts",
            "Container networking",
            "Docker Compose",
        ),
        _s(
            "Kubernetes fundamentals",
            "Kubernetes architecture: control plane and nodes",
            "kubectl basics",
            "Pods",
            "Deployments and ReplicaSets",
            "Services",
            "Namespaces",
            "ConfigMaps and Secrets",
            "Labels and selectors",
        ),
        _s(
            "Running workloads",
            "Ingress and ingress controllers",
            "Persistent volumes and claims",
            "StatefulSets",
            "DaemonSets, Jobs and CronJobs",
            "Resource requests and limits",
            "Liveness and readiness probes",
            "Rolling updates and rollbacks",
            "Horizontal Pod Autoscaler",
        ),
        _s(
            "Delivery and automation",
            "Helm charts",
            "Kustomize",
            "CI/CD pipelines",
            "GitOps with Argo CD",
            "Container registries",
            "Infrastructure as code with Terraform",
        ),
        _s(
            "Operating clusters",
            "Monitoring with Prometheus",
            "Dashboards with Grafana",
            "Centralised logging",
            "RBAC",
            "Network policies",
            "Pod security and image scanning",
            "Service meshes",
            "Troubleshooting clusters",
        ),
    ),
    projects=(
        "Project: containerise a web app with Docker Compose",
        "Project: deploy an app to a local kind cluster",
        "Project: a Helm chart with CI/CD",
        "Project: observability stack for a cluster",
    ),
    resources=(
        _r(
            "Kubernetes documentation",
            "https://kubernetes.io/docs/home/",
            "documentation",
            "Concepts, tasks and reference for Kubernetes.",
        ),
        _r(
            "Kubernetes tutorials",
            "https://kubernetes.io/docs/tutorials/",
            "course",
            "Official step-by-step tutorials.",
        ),
        _r(
            "Docker: Get started",
            "https://docs.docker.com/get-started/",
            "documentation",
            "The official introduction to Docker.",
        ),
        _r(
            "kind",
            "https://kind.sigs.k8s.io/",
            "tool",
            "Run local Kubernetes clusters in Docker containers.",
        ),
        _r(
            "Helm docs", "https://helm.sh/docs/", "documentation", "The Kubernetes package manager."
        ),
        _r(
            "Killercoda",
            "https://killercoda.com/",
            "exercise",
            "Interactive browser-based Kubernetes and Linux scenarios.",
        ),
    ),
    search=_r(
        "Kubernetes documentation",
        "https://kubernetes.io/search/?q={q}",
        "documentation",
        "Search the Kubernetes documentation.",
    ),
    snippets=(
        Snippet(
            ("docker", "image", "container", "volume", "multi-stage", "registr"),
            "dockerfile",
            """# {name}
FROM python:3.12-slim AS build
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir --prefix=/install -r requirements.txt

FROM python:3.12-slim
COPY --from=build /install /usr/local
COPY . /app
WORKDIR /app
USER 1000
CMD ["python", "-m", "app"]""",
        ),
        Snippet(
            (),
            "yaml",
            """# {name}: apply with `kubectl apply -f deployment.yaml`
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports: [{containerPort: 80}]
          resources:
            requests: {cpu: 100m, memory: 64Mi}
          readinessProbe:
            httpGet: {path: /, port: 80}""",
        ),
    ),
    facts=(
        ("A Pod is the smallest deployable unit in Kubernetes.", True),
        ("A Deployment manages ReplicaSets to keep the desired number of Pods running.", True),
        ("Kubernetes Secrets are strongly encrypted by default, with nothing to configure.", False),
        ("Each instruction in a Dockerfile can add a layer to the image.", True),
    ),
    typical_hours=120,
)

LINUX = Topic(
    key="linux",
    label="Linux and the shell",
    kind="technical",
    patterns=(
        r"\blinux\b",
        r"\bshell\b",
        r"\bbash\b",
        r"\bzsh\b",
        r"\bcommand[- ]line\b",
        r"\bunix\b",
        r"\bterminal\b",
        r"\bsysadmin\b",
    ),
    technologies=("Linux", "Bash", "coreutils", "systemd", "SSH", "vim"),
    sections=(
        _s(
            "Finding your way around",
            "The Linux filesystem hierarchy",
            "Navigating with cd, ls and pwd",
            "Managing files with cp, mv and rm",
            "Viewing files with cat, less and head",
            "Globbing and wildcards",
            "Symbolic and hard links",
            "Getting help with man and --help",
            "Users and groups",
            "File permissions and chmod",
        ),
        _s(
            "Working with text",
            "Standard streams and redirection",
            "Pipes",
            "grep and regular expressions",
            "Text processing with sed",
            "awk basics",
            "sort, uniq, cut and wc",
            "find and xargs",
        ),
        _s(
            "Processes and the system",
            "Processes and job control",
            "Signals and kill",
            "Monitoring with top and htop",
            "Environment variables",
            "Package management with apt or dnf",
            "systemd services",
            "Logs with journalctl",
        ),
        _s(
            "Shell scripting",
            "Bash script basics",
            "Variables and quoting",
            "Conditionals and test",
            "Loops in Bash",
            "Functions in Bash",
            "Exit codes and error handling",
            "Here documents and command substitution",
            "Argument parsing with getopts",
            "Scheduling with cron",
        ),
        _s(
            "Administration",
            "Networking commands: ip, ss and curl",
            "SSH and key-based authentication",
            "Disks, mounting and disk usage",
            "Archives with tar and compression",
            "Backups with rsync",
            "Editing with vim",
            "tmux and terminal multiplexing",
            "Shell configuration and aliases",
            "Security hardening basics",
        ),
    ),
    projects=(
        "Project: a backup script with rotation",
        "Project: a log-analysis pipeline",
        "Project: set up a hardened server over SSH",
    ),
    resources=(
        _r(
            "The Linux Command Line",
            "https://linuxcommand.org/tlcl.php",
            "book",
            "William Shotts' free book on the shell.",
        ),
        _r(
            "GNU Bash manual",
            "https://www.gnu.org/software/bash/manual/",
            "documentation",
            "The reference for Bash.",
        ),
        _r(
            "Linux man pages",
            "https://man7.org/linux/man-pages/",
            "documentation",
            "The Linux manual pages online.",
        ),
        _r(
            "OverTheWire: Bandit",
            "https://overthewire.org/wargames/bandit/",
            "exercise",
            "A game that teaches the shell level by level.",
        ),
        _r("explainshell", "https://explainshell.com/", "tool", "Explains each part of a command."),
        _r("ShellCheck", "https://www.shellcheck.net/", "tool", "Finds bugs in shell scripts."),
    ),
    snippets=(
        Snippet(
            (),
            "bash",
            """#!/usr/bin/env bash
# {name}
set -euo pipefail

log_dir="${1:-/var/log}"
find "$log_dir" -name '*.log' -mtime -1 -print0 |
  xargs -0 grep -h 'ERROR' |
  cut -d' ' -f5- | sort | uniq -c | sort -rn | head -n 10""",
        ),
    ),
    facts=(
        ("chmod changes a file's permissions.", True),
        ("A pipe sends one command's standard output to the next command's input.", True),
        ("rm moves deleted files to a trash folder by default.", False),
        ("By convention, exit code 0 means success.", True),
    ),
    typical_hours=70,
)

SPANISH = Topic(
    key="spanish",
    label="Spanish",
    kind="language",
    patterns=(r"\bspanish\b", r"\bespa[nñ]ol\b", r"\bcastellano\b"),
    technologies=(),
    stage_names=LANGUAGE_STAGES,
    sections=(
        _s(
            "First steps",
            "Spanish pronunciation and the alphabet",
            "Greetings and introductions",
            "Numbers, dates and time",
            "Nouns, gender and articles",
            "Subject pronouns and the verb ser",
            "The verb estar: states and location",
            "Regular -ar, -er and -ir verbs in the present",
            "Asking questions",
            "Core vocabulary: family, food and home",
        ),
        _s(
            "Everyday Spanish",
            "Ser vs estar",
            "Tener and expressions with tener",
            "Stem-changing verbs",
            "Reflexive verbs and daily routines",
            "Gustar and similar verbs",
            "Adjective agreement",
            "Direct and indirect object pronouns",
            "The near future with ir a",
            "Shopping, travel and directions",
        ),
        _s(
            "Talking about the past and future",
            "The preterite tense",
            "The imperfect tense",
            "Preterite vs imperfect",
            "Por vs para",
            "The present perfect",
            "The future and the conditional",
            "Commands: the imperative",
            "Listening to podcasts and slow news",
        ),
        _s(
            "The subjunctive and nuance",
            "The present subjunctive",
            "Subjunctive triggers: wishes, doubt and emotion",
            "The imperfect subjunctive",
            "Si clauses",
            "Relative pronouns",
            "Idioms and colloquial expressions",
            "Regional varieties: Spain and Latin America",
        ),
        _s(
            "Fluency",
            "Writing formal emails and essays",
            "Debating and giving opinions",
            "Reading literature in Spanish",
            "Spanish for work",
            "Films and series without subtitles",
        ),
    ),
    projects=(
        "Project: a ten-minute conversation with a tutor",
        "Project: a week-long diary in Spanish",
        "Project: order a meal and ask for directions in a role-play",
        "Project: summarise a Spanish news article",
    ),
    resources=(
        _r(
            "SpanishDict",
            "https://www.spanishdict.com/",
            "tool",
            "Dictionary, conjugation tables and grammar guides.",
        ),
        _r(
            "Diccionario de la lengua española (RAE)",
            "https://dle.rae.es/",
            "documentation",
            "The Royal Spanish Academy's dictionary.",
        ),
        _r(
            "Language Transfer: Complete Spanish",
            "https://www.languagetransfer.org/complete-spanish",
            "course",
            "A free audio course that builds sentences from first principles.",
        ),
        _r(
            "Dreaming Spanish",
            "https://www.dreamingspanish.com/",
            "video",
            "Comprehensible-input videos graded by level.",
        ),
        _r(
            "Duolingo Spanish",
            "https://www.duolingo.com/course/es/en/Learn-Spanish",
            "exercise",
            "Short daily exercises.",
        ),
    ),
    search=_r(
        "SpanishDict",
        "https://www.spanishdict.com/translate/{q}",
        "tool",
        "Translations, examples and grammar notes.",
    ),
    facts=(
        ("Ser describes lasting characteristics; estar describes states and location.", True),
        ("Every Spanish noun that ends in -a is feminine.", False),
        ("The subjunctive is used after expressions of wishes and doubt.", True),
        ("Spanish adjectives agree in gender and number with their noun.", True),
    ),
    examples=(
        ("Hola, me llamo Ana. ¿Y tú?", "Hi, my name is Ana. And you?"),
        (
            "Soy profesora, pero hoy estoy de vacaciones.",
            "I'm a teacher, but today I'm on holiday.",
        ),
        ("Ayer fui al mercado y compré fruta.", "Yesterday I went to the market and bought fruit."),
        ("Cuando era niña, vivía en Sevilla.", "When I was a girl, I lived in Seville."),
        ("Espero que tengas un buen día.", "I hope you have a good day."),
    ),
    typical_hours=600,
)

GUITAR = Topic(
    key="guitar",
    label="guitar",
    kind="skill",
    patterns=(r"\bguitars?\b", r"\bukulele\b"),
    technologies=(),
    stage_names=SKILL_STAGES,
    sections=(
        _s(
            "First steps on the guitar",
            "Parts of the guitar and how to hold it",
            "Tuning your guitar",
            "Reading chord diagrams and tabs",
            "First open chords: E minor, A minor and D",
            "Open chords: G, C and E",
            "Strumming patterns",
            "Switching chords smoothly",
        ),
        _s(
            "Playing songs",
            "Playing your first songs",
            "Rhythm and counting",
            "Practising with a metronome",
            "Using a capo",
            "Fingerpicking basics",
            "Power chords",
            "Palm muting",
        ),
        _s(
            "Knowing the fretboard",
            "The minor pentatonic scale",
            "Barre chords",
            "Notes on the fretboard",
            "The major scale and intervals",
            "Triads and seventh chords",
            "Sus and add9 chords",
            "The CAGED system",
            "Keys and the Nashville number system",
        ),
        _s(
            "Technique and expression",
            "Hammer-ons, pull-offs and slides",
            "String bending and vibrato",
            "Alternate picking and speed",
            "Arpeggios",
            "Travis picking",
            "Dynamics and groove",
        ),
        _s(
            "Musicianship",
            "Improvising over a 12-bar blues",
            "Modes of the major scale",
            "Ear training",
            "Jazz chord voicings",
            "Playing with other musicians",
            "Recording yourself",
            "Songwriting basics",
            "Performing live",
        ),
    ),
    projects=(
        "Project: learn a complete song from start to finish",
        "Project: record a cover and review it",
        "Project: write and perform an original song",
    ),
    resources=(
        _r(
            "JustinGuitar",
            "https://www.justinguitar.com/",
            "course",
            "A free, structured guitar course from the first chord.",
        ),
        _r(
            "Ultimate Guitar",
            "https://www.ultimate-guitar.com/",
            "tool",
            "Chords and tabs for hundreds of thousands of songs.",
        ),
        _r(
            "musictheory.net lessons",
            "https://www.musictheory.net/lessons",
            "article",
            "Short interactive music theory lessons.",
        ),
        _r(
            "Fender Play",
            "https://www.fender.com/play",
            "course",
            "Video lessons organised by style and level.",
        ),
        _r(
            "musictheory.net exercises",
            "https://www.musictheory.net/exercises",
            "exercise",
            "Note, interval and chord recognition drills.",
        ),
    ),
    search=_r(
        "Ultimate Guitar",
        "https://www.ultimate-guitar.com/search.php?search_type=title&value={q}",
        "tool",
        "Search songs, chords and tabs.",
    ),
    facts=(
        ("Standard tuning, from the lowest string, is E A D G B E.", True),
        ("A barre chord uses one finger to press several strings at the same fret.", True),
        ("The minor pentatonic scale has seven notes.", False),
        ("A capo raises the pitch of the open strings.", True),
    ),
    typical_hours=300,
)

TOPICS: tuple[Topic, ...] = (
    MACHINE_LEARNING,
    DEVOPS,
    WEB,
    SQL,
    RUST,
    GO,
    JAVASCRIPT,
    PYTHON,
    LINUX,
    SPANISH,
    GUITAR,
)
"""In priority order: on a tie, the more specific topic (listed first) wins."""

HUMAN_LANGUAGES = (
    "French",
    "German",
    "Italian",
    "Portuguese",
    "Japanese",
    "Mandarin",
    "Chinese",
    "Korean",
    "Arabic",
    "Russian",
    "Dutch",
    "Swedish",
    "Norwegian",
    "Danish",
    "Polish",
    "Greek",
    "Turkish",
    "Hindi",
    "Vietnamese",
    "Thai",
    "Ukrainian",
    "Hebrew",
    "Czech",
    "Finnish",
    "Indonesian",
)

_LANGUAGE_OUTLINE = (
    _s(
        "First steps",
        "{L} pronunciation and sounds",
        "Greetings and introductions",
        "Numbers, dates and time",
        "Nouns and articles in {L}",
        "Personal pronouns and core verbs",
        "The present tense",
        "Asking questions",
        "Core vocabulary: family, food and home",
    ),
    _s(
        "Everyday {L}",
        "Everyday phrases for travel",
        "Describing people and places",
        "Talking about daily routines",
        "Likes, dislikes and opinions",
        "Shopping and directions",
        "Talking about the past",
        "Talking about the future",
    ),
    _s(
        "Independent {L}",
        "Complex sentences and connectors",
        "Formal and informal registers",
        "Idioms and colloquial expressions",
        "Reading short stories in {L}",
        "Listening to podcasts in {L}",
        "Writing messages and emails",
    ),
    _s(
        "Fluent {L}",
        "Reading the news in {L}",
        "Films and series in {L}",
        "Debating and giving opinions",
        "Writing essays in {L}",
        "Culture and customs",
        "{L} for work",
    ),
)


def language_topic(language: str) -> Topic:
    """A language-learning outline for a human language without its own entry."""
    sections = tuple(
        Section(s.name.format(L=language), tuple(c.format(L=language) for c in s.concepts))
        for s in _LANGUAGE_OUTLINE
    )
    q = language.lower()
    return Topic(
        key=f"language-{q}",
        label=language,
        kind="language",
        patterns=(rf"\b{q}\b",),
        stage_names=LANGUAGE_STAGES,
        sections=sections,
        projects=(
            f"Project: a ten-minute conversation in {language} with a tutor",
            f"Project: a week-long diary in {language}",
            f"Project: summarise a {language} news article",
        ),
        resources=(
            _r(
                "Wiktionary",
                f"https://en.wiktionary.org/wiki/{language}",
                "documentation",
                f"Meanings, pronunciation and grammar of {language} words.",
            ),
            _r("Forvo", "https://forvo.com/", "tool", "Native-speaker pronunciations."),
            _r("italki", "https://www.italki.com/", "course", "Lessons with online tutors."),
            _r("Anki", "https://apps.ankiweb.net/", "tool", "Spaced-repetition flashcards."),
            _r("Duolingo", "https://www.duolingo.com/", "exercise", "Short daily exercises."),
        ),
        search=_r(
            "Wiktionary",
            "https://en.wiktionary.org/w/index.php?search={q}",
            "documentation",
            "Look the words up in Wiktionary.",
        ),
        facts=(
            ("Short daily practice beats rare long sessions for remembering vocabulary.", True),
            ("You must master all of the grammar before you try speaking.", False),
        ),
        typical_hours=600,
    )


def generic_topic(phrase: str) -> Topic:
    """A goal-specific outline for a subject the knowledge base does not know."""
    p = phrase
    return Topic(
        key="generic",
        label=p,
        kind="generic",
        patterns=(),
        stage_names=(
            "First steps in {L}",
            "Building core {L} skills",
            "Putting {L} into practice",
            "Deepening your {L}",
            "Mastering {L}",
        ),
        sections=(
            _s(
                f"Getting started with {p}",
                f"What {p} is and why it matters",
                f"Key terms and vocabulary of {p}",
                f"Tools, materials and setup for {p}",
                f"Foundations of {p}",
                f"Common beginner mistakes in {p}",
            ),
            _s(
                f"Core {p} skills",
                f"Core {p} techniques",
                f"A step-by-step practice routine for {p}",
                f"Learning {p} from worked examples",
                f"Safety, quality and good habits in {p}",
                f"Getting feedback on your {p}",
            ),
            _s(
                f"Applying {p}",
                f"Planning a first {p} project",
                f"Applying {p} in a project",
                f"Troubleshooting common {p} problems",
                f"Measuring your progress in {p}",
            ),
            _s(
                f"Going further with {p}",
                f"Intermediate {p} techniques",
                f"Advanced {p} techniques",
                f"Specialisations within {p}",
                f"Learning from the {p} community",
                f"Teaching {p} to someone else",
                f"A long-term {p} practice plan",
            ),
        ),
        projects=(
            f"Project: a small {p} challenge",
            f"Project: document a week of {p} practice",
            f"Capstone project: a complete {p} piece of work",
        ),
        typical_hours=100,
    )


_PREFIXES = re.compile(
    r"^(?:i\s+(?:really\s+)?(?:want|would\s+(?:like|love)|need|wish|plan|hope)\s+to\s+"
    r"|i'?d\s+(?:really\s+)?(?:like|love)\s+to\s+|(?:better|good|great)\s+(?:at\s+)?"
    r"|i'?m\s+(?:trying|hoping|planning|going)\s+to\s+|please\s+|help\s+me\s+(?:to\s+)?"
    r"|teach\s+me\s+(?:about\s+|how\s+to\s+)?|how\s+(?:do\s+i\s+|can\s+i\s+|to\s+)"
    r"|learn(?:ing)?\s+(?:about\s+|how\s+to\s+|to\s+)?|get(?:ting)?\s+(?:started|better|good)"
    r"\s+(?:with|at|in)\s+|become\s+(?:an?\s+|better\s+at\s+)?|master(?:ing)?\s+"
    r"|understand(?:ing)?\s+|study(?:ing)?\s+|improve\s+(?:my\s+)?|start\s+(?:with\s+)?"
    r"|(?:an?\s+)?(?:introduction|intro)\s+to\s+|(?:the\s+)?(?:basics|fundamentals)\s+of\s+"
    r"|(?:a|an|the|my|some|more)\s+)",
    re.IGNORECASE,
)
_CUT = re.compile(
    r"\s+(?:so|because|for|in order|to|by|before|within|while|as|since|and then|which|that"
    r"|in \d|at (?:home|work)|from scratch|with my)\b|[,.;:!?()\[\]]|\s[-–—]\s",
    re.IGNORECASE,
)


_VERBS = (
    "bake brew build climb code cook dance design draw drive fly garden juggle knit make paint "
    "photograph play program read ride sail sew sing ski speak surf swim teach train write"
)
_DOUBLED = {"run": "running", "swim": "swimming", "knit": "knitting", "jog": "jogging"}


def _gerund(phrase: str) -> str:
    """ "bake sourdough bread" → "baking sourdough bread", so it reads well in titles."""
    first, _, rest = phrase.partition(" ")
    verb = first.lower()
    if verb in _DOUBLED:
        ing = _DOUBLED[verb]
    elif verb in _VERBS.split():
        ing = verb[:-1] + "ing" if verb.endswith("e") and not verb.endswith("ee") else verb + "ing"
    else:
        return phrase
    return f"{ing} {rest}".strip()


def key_phrase(goal: str) -> str:
    """The subject of a goal: "I want to learn beekeeping so I can…" → "beekeeping"."""
    text = " ".join(goal.split())
    while (stripped := _PREFIXES.sub("", text, count=1)) != text:
        text = stripped
    text = _CUT.split(text, maxsplit=1)[0].strip(" '\"")
    words = text.split()[:6]
    phrase = _gerund(" ".join(words))[:60].strip()
    if len(phrase) < 3:
        phrase = " ".join(goal.split()[:5])[:60].strip() or "your subject"
    return phrase


def _score(topic: Topic, text: str) -> int:
    return sum(1 for p in topic.patterns if re.search(p, text, re.IGNORECASE))


def find_topic(goal: str) -> Topic:
    """The knowledge-base entry for a goal, a language outline, or a generic outline.

    What the goal is about weighs more than what it is for: "Learn SQL for data analysis" is
    about SQL (its subject, :func:`key_phrase`), though "data analysis" also names a topic."""
    subject = key_phrase(goal)
    best, best_score = None, 0
    for topic in TOPICS:
        score = 2 * _score(topic, subject) + _score(topic, goal)
        if score > best_score:
            best, best_score = topic, score
    if best is not None:
        return best
    for language in HUMAN_LANGUAGES:
        if re.search(rf"\b{language}\b", goal, re.IGNORECASE):
            return language_topic(language)
    return generic_topic(key_phrase(goal))


def other_topic(topic: Topic, index: int) -> Topic:
    """A different knowledge-base topic, for distractors; ``index`` picks which."""
    others = [t for t in TOPICS if t.key != topic.key]
    return others[index % len(others)]
