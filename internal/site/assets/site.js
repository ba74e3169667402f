// magerepo's repository pages: the package list and its filter, the version filter of a package page, and copy
// buttons. Hand-written, no framework, no network but the repository's own browse/index.json.
"use strict";

(function () {
  var doc = document;

  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  // terms splits a query into lower-case words; every word must match.
  function terms(q) {
    return q.toLowerCase().split(/\s+/).filter(Boolean);
  }

  // fill sets el's text to s with the parts that match a term marked.
  function fill(e, s, ts) {
    var lower = s.toLowerCase(), marks = [];
    ts.forEach(function (t) {
      for (var i = lower.indexOf(t); i >= 0; i = lower.indexOf(t, i + t.length)) marks.push([i, i + t.length]);
    });
    e.textContent = "";
    if (!marks.length) { e.textContent = s; return; }
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var at = 0;
    marks.forEach(function (m) {
      if (m[1] <= at) return;
      var from = Math.max(m[0], at);
      if (from > at) e.appendChild(doc.createTextNode(s.slice(at, from)));
      e.appendChild(el("mark", null, s.slice(from, m[1])));
      at = m[1];
    });
    if (at < s.length) e.appendChild(doc.createTextNode(s.slice(at)));
  }

  function plural(n, one, many) {
    return n.toLocaleString("en-US") + " " + (n === 1 ? one : many);
  }

  // The query is kept in the address (?q=), so a filtered list can be shared and survives going back.
  function readQuery() {
    try { return new URLSearchParams(location.search).get("q") || ""; } catch (e) { return ""; }
  }
  function writeQuery(q) {
    try {
      var u = new URL(location.href);
      if (q) u.searchParams.set("q", q); else u.searchParams.delete("q");
      history.replaceState(null, "", u.href);
    } catch (e) { /* file: pages may refuse; the filter works all the same */ }
  }

  // "/" focuses the filter, as on most code hosts; Escape clears it.
  function shortcuts(input, clear) {
    doc.addEventListener("keydown", function (ev) {
      if (ev.key === "/" && doc.activeElement !== input && !/^(INPUT|TEXTAREA|SELECT)$/.test(doc.activeElement.tagName)) {
        ev.preventDefault();
        input.focus();
        input.select();
      }
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && input.value) { input.value = ""; clear(); }
    });
  }

  function packageList(list) {
    var input = doc.getElementById("q"), count = doc.getElementById("count");
    var items = [], shown = [];

    function row(p) {
      var li = el("li"), a = el("a"), name = el("span", "name"), slash = p.name.indexOf("/");
      a.href = "browse/" + p.name + ".html";
      var vendor = el("span", "vendor"), short = el("span");
      name.appendChild(vendor);
      name.appendChild(short);
      a.appendChild(name);
      a.appendChild(el("span", "ver", p.version));
      var line = el("span", "desc"), desc = el("span");
      if (p.type && p.type !== "library") line.appendChild(el("span", "type", p.type));
      line.appendChild(desc);
      a.appendChild(line);
      li.appendChild(a);
      var it = {
        p: p, li: li, a: a, vendor: vendor, short: short, desc: desc,
        vendorText: p.name.slice(0, slash + 1), shortText: p.name.slice(slash + 1),
        name: p.name.toLowerCase(), text: (p.description || "").toLowerCase(), marked: true
      };
      mark(it, []);
      return it;
    }

    function mark(it, ts) {
      if (!ts.length && !it.marked) return;
      fill(it.vendor, it.vendorText, ts);
      fill(it.short, it.shortText, ts);
      fill(it.desc, it.p.description || "", ts);
      it.marked = ts.length > 0;
    }

    function apply() {
      var q = input.value.trim(), ts = terms(q), byName = [], byText = [];
      items.forEach(function (it) {
        var inName = true, inAny = true;
        for (var i = 0; i < ts.length; i++) {
          var n = it.name.indexOf(ts[i]) >= 0;
          inName = inName && n;
          inAny = inAny && (n || it.text.indexOf(ts[i]) >= 0);
        }
        if (inName) byName.push(it); else if (inAny) byText.push(it);
      });
      // Packages whose name matches come first; each group stays in name order.
      shown = byName.concat(byText);
      shown.forEach(function (it) { mark(it, ts); });
      list.replaceChildren.apply(list, shown.map(function (it) { return it.li; }));
      if (!shown.length) {
        var li = el("li", "empty");
        li.textContent = "No package matches \u201c" + q + "\u201d.";
        list.appendChild(li);
      }
      count.textContent = ts.length ? shown.length.toLocaleString("en-US") + " of " + plural(items.length, "package", "packages") : plural(items.length, "package", "packages");
      writeQuery(q);
    }

    fetch(list.getAttribute("data-index"), { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (data) {
        items = (data.packages || []).map(row);
        input.disabled = false;
        input.value = readQuery();
        input.addEventListener("input", apply);
        input.addEventListener("keydown", function (ev) {
          if (ev.key === "Enter" && shown.length) location.href = shown[0].a.href;
        });
        shortcuts(input, apply);
        apply();
        // For tests and benchmarks: the list is on screen.
        if (window.performance && performance.mark) performance.mark("magerepo:list");
        doc.documentElement.setAttribute("data-ready", "");
      })
      .catch(function (err) {
        list.replaceChildren(el("li", "empty", "The package list could not be loaded (" + err.message + ")."));
        doc.documentElement.setAttribute("data-ready", "");
      });
  }

  function versionList(list) {
    var input = doc.getElementById("vq"), count = doc.getElementById("vcount");
    var items = Array.prototype.map.call(list.children, function (li) {
      return { li: li, v: li.querySelector(".vname").textContent.toLowerCase().replace(/^v(?=\d)/, "") };
    });
    function apply() {
      var q = input.value.trim().toLowerCase().replace(/^v(?=\d)/, ""), n = 0;
      items.forEach(function (it) {
        // "2.4" means the 2.4 series; words such as "beta" or "p1" may match anywhere.
        var ok = !q || it.v.indexOf(q) === 0 || (/^\D/.test(q) && it.v.indexOf(q) >= 0) || it.v.indexOf("-" + q) >= 0;
        it.li.hidden = !ok;
        if (ok) n++;
      });
      count.textContent = q ? n.toLocaleString("en-US") + " of " + plural(items.length, "version", "versions") : "";
    }
    input.addEventListener("input", apply);
    shortcuts(input, apply);
    lazyRequirements(list);
    doc.documentElement.setAttribute("data-ready", "");
  }

  // expand turns a p2 document into its versions by version string, undoing composer/metadata-minifier: each
  // entry after the first holds only the keys that differ from the one before, "__unset" for a key it lacks.
  function expand(p2) {
    var out = {}, pk = p2.packages || {};
    Object.keys(pk).forEach(function (name) {
      var prev = null;
      pk[name].forEach(function (v) {
        if (prev === null || p2.minified !== "composer/2.0") {
          prev = v;
        } else {
          var cur = Object.assign({}, prev);
          Object.keys(v).forEach(function (k) { if (v[k] === "__unset") delete cur[k]; else cur[k] = v[k]; });
          prev = cur;
        }
        out[prev.version] = prev;
      });
    });
    return out;
  }

  // lazyRequirements fills the requirement lists a large page leaves out (site.InlineRequirements) from the
  // package's p2 file, read once, when a reader opens one.
  function lazyRequirements(list) {
    var name = list.getAttribute("data-name"), pages = {}, files = {};
    (list.getAttribute("data-pages") || "").split(" ").forEach(function (n) { if (n) pages[n] = true; });
    function load(url) {
      if (!files[url]) {
        files[url] = fetch(url, { credentials: "same-origin" }).then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        }).then(expand);
        files[url].catch(function () { delete files[url]; }); // the next opening tries again
      }
      return files[url];
    }
    Array.prototype.forEach.call(list.querySelectorAll("details[data-p2]"), function (d) {
      d.addEventListener("toggle", function () {
        if (!d.open || d.hasAttribute("data-loading")) return;
        d.setAttribute("data-loading", "");
        var ul = d.querySelector("ul"), note = d.querySelector(".lazy");
        load(d.getAttribute("data-p2")).then(function (versions) {
          var v = versions[d.getAttribute("data-version")] || {}, req = v.require || {};
          Object.keys(req).forEach(function (t) {
            var target = t.toLowerCase(), li = el("li"), c = el("code", null, String(req[t]));
            if (target === name) return; // Composer drops a link to the package itself, as the page does
            var n = pages[target] ? el("a", null, target) : el("span", null, target);
            if (pages[target]) n.href = "../" + target + ".html";
            li.appendChild(n);
            li.appendChild(doc.createTextNode(" "));
            li.appendChild(c);
            ul.appendChild(li);
          });
          note.remove();
          d.setAttribute("data-loaded", "");
        }, function (err) {
          d.removeAttribute("data-loading");
          note.replaceChildren("Could not read this list (" + err.message + "). It is in ", note.querySelector("a"), ".");
        });
      });
    });
  }

  // copyButtons puts a button on each code block that copies its text (without the "$ " prompts).
  function copyButtons() {
    Array.prototype.forEach.call(doc.querySelectorAll("pre[data-copy]"), function (pre) {
      var b = el("button", "copy", "Copy");
      b.type = "button";
      b.addEventListener("click", function () {
        var c = pre.querySelector("code").cloneNode(true);
        Array.prototype.forEach.call(c.querySelectorAll(".prompt"), function (p) { p.remove(); });
        var text = c.textContent;
        var done = function () { b.textContent = "Copied"; setTimeout(function () { b.textContent = "Copy"; }, 1500); };
        var select = function () {
          // No clipboard (plain http, an old browser): select the text, so Ctrl+C copies it.
          var r = doc.createRange();
          r.selectNodeContents(pre.querySelector("code"));
          var s = getSelection();
          s.removeAllRanges();
          s.addRange(r);
          b.textContent = "Press Ctrl+C";
        };
        if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, select);
        else select();
      });
      pre.appendChild(b);
    });
  }

  copyButtons();
  var list = doc.getElementById("list");
  if (list) packageList(list);
  var vlist = doc.getElementById("vlist");
  if (vlist) versionList(vlist);
})();
