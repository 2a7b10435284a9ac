/* The consensus report, live.
 *
 * The page works without this script: it is the whole report, as of when it
 * was loaded. With it, the page listens to the paper's tally websocket
 * (docs/realtime.md) and, when tallies change, fetches the report's body again
 * (`?fragment=body`, rendered on the server from one snapshot, so the numbers
 * are the method's, never recomputed here) and swaps in the sections whose
 * figures changed. Changes are announced through a polite live region, at most
 * one announcement per refresh.
 *
 * Hooked by data attributes: [data-live-report] (data-ws-path) around
 * [data-report-body]; sections carry [data-report-section] and [data-digest].
 */
(function () {
    "use strict";

    var root = document.querySelector("[data-live-report]");
    if (!root || !("WebSocket" in window) || !window.fetch || !window.DOMParser) {
        return;
    }
    // From here on the page does update itself: say so instead of "reload for the latest".
    root.setAttribute("data-live-connected", "false");
    var announcer = root.querySelector("[data-report-announcer]");
    var wsPath = root.getAttribute("data-ws-path");

    // Bursts of votes become one refresh: wait for a quiet moment, but never longer than MAX_WAIT.
    var QUIET = 500;
    var MAX_WAIT = 2000;
    var timer = null;
    var firstDirty = 0;
    var inFlight = false;
    var pending = false;
    var retries = 0;

    function schedule() {
        var now = Date.now();
        if (!firstDirty) {
            firstDirty = now;
        }
        window.clearTimeout(timer);
        timer = window.setTimeout(refresh, Math.max(0, Math.min(QUIET, firstDirty + MAX_WAIT - now)));
    }

    function refresh() {
        firstDirty = 0;
        if (inFlight) {
            pending = true;
            return;
        }
        inFlight = true;
        var url = new URL(window.location.href);
        url.hash = "";
        url.searchParams.set("fragment", "body");
        window.fetch(url.toString(), {
            credentials: "same-origin",
            cache: "no-store",
            headers: { Accept: "text/html" }
        }).then(function (response) {
            return response.ok ? response.text() : null;
        }).then(function (text) {
            if (text) {
                apply(new DOMParser().parseFromString(text, "text/html"));
            }
        }).catch(function () {
            // The next change or reconnection tries again.
        }).then(function () {
            inFlight = false;
            if (pending) {
                pending = false;
                schedule();
            }
        });
    }

    /* Replace `current` with `next`, keeping keyboard focus on the same control if it was inside. */
    function replace(current, next) {
        var active = document.activeElement;
        var focusKey = null;
        if (active && active !== document.body && current.contains(active)) {
            focusKey = active.id ? "#" + CSS.escape(active.id) : (active.getAttribute("href") ? "[href=\"" + CSS.escape(active.getAttribute("href")) + "\"]" : null);
        }
        var imported = document.importNode(next, true);
        current.replaceWith(imported);
        if (focusKey) {
            var again = imported.querySelector(focusKey);
            if (again) {
                again.focus();
            }
        }
        return imported;
    }

    function text(node, selector) {
        var found = node.querySelector(selector);
        return found ? found.textContent.replace(/\s+/g, " ").trim() : "";
    }

    function describe(section) {
        var heading = text(section, "h2");
        var classification = text(section, "[data-field=classification]");
        var all = "[data-group=all] ";
        return heading + ": " + classification + "; " +
            text(section, all + "[data-field=agree]") + " agree, " +
            text(section, all + "[data-field=neutral]") + " neutral, " +
            text(section, all + "[data-field=disagree]") + " disagree.";
    }

    function sectionIds(container) {
        return Array.prototype.map.call(container.querySelectorAll("[data-report-section]"), function (node) {
            return node.getAttribute("data-report-section");
        }).join(",");
    }

    function apply(doc) {
        var body = root.querySelector("[data-report-body]");
        var fresh = doc.querySelector("[data-report-body]");
        if (!body || !fresh) {
            return;
        }
        var changed = [];
        if (sectionIds(body) !== sectionIds(fresh)) {
            // Sections added, removed or reordered: take the whole report.
            replace(body, fresh);
            announce("The report was updated: its sections changed.");
            return;
        }
        Array.prototype.forEach.call(fresh.querySelectorAll("[data-report-section], [data-report-part]"), function (next) {
            var selector = next.hasAttribute("data-report-section")
                ? "[data-report-section=\"" + next.getAttribute("data-report-section") + "\"]"
                : "[data-report-part=\"" + next.getAttribute("data-report-part") + "\"]";
            var current = body.querySelector(selector);
            if (current && current.getAttribute("data-digest") !== next.getAttribute("data-digest")) {
                var placed = replace(current, next);
                if (placed.hasAttribute("data-report-section")) {
                    changed.push(placed);
                }
            }
        });
        var toc = body.querySelector(".toc");
        var freshToc = fresh.querySelector(".toc");
        if (toc && freshToc && toc.innerHTML !== freshToc.innerHTML) {
            replace(toc, freshToc);
        }
        var time = body.querySelector(".report__header time");
        var freshTime = fresh.querySelector(".report__header time");
        if (time && freshTime) {
            time.replaceWith(document.importNode(freshTime, true));
        }
        if (changed.length) {
            var parts = changed.slice(0, 3).map(describe);
            if (changed.length > 3) {
                parts.push("and " + (changed.length - 3) + " more sections.");
            }
            announce("Report updated. " + parts.join(" "));
        }
    }

    function announce(message) {
        if (!announcer) {
            return;
        }
        // Clear first so that the same words are announced again.
        announcer.textContent = "";
        window.setTimeout(function () {
            announcer.textContent = message;
        }, 100);
    }

    function setLive(connected) {
        var status = root.querySelector("[data-report-live-status]");
        if (status) {
            status.setAttribute("data-connected", connected ? "true" : "false");
        }
        root.setAttribute("data-live-connected", connected ? "true" : "false");
    }

    function connect() {
        var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
        var socket = new WebSocket(scheme + "//" + window.location.host + wsPath);
        socket.addEventListener("open", function () {
            retries = 0;
            setLive(true);
        });
        socket.addEventListener("message", function (event) {
            var message;
            try {
                message = JSON.parse(event.data);
            } catch (error) {
                return;
            }
            // "snapshot" arrives on every (re)connection: whatever changed while
            // the page loaded or the socket was down is fetched once.
            if (message.type === "tallies" || message.type === "snapshot") {
                schedule();
            }
        });
        socket.addEventListener("close", function () {
            setLive(false);
            var delay = Math.min(30000, 1000 * Math.pow(2, retries)) * (0.5 + Math.random() / 2);
            retries += 1;
            window.setTimeout(connect, delay);
        });
    }

    connect();
}());
