/*
 * Wagtail's date and time pickers without inline scripts.
 *
 * Wagtail renders <script>initDateChooser("id", {...})</script> after each date
 * input, which a strict Content-Security-Policy refuses. Our copies of those
 * widget templates (site/core/templates/wagtailadmin/widgets/) render the same
 * call as data attributes; this starts the pickers, including in HTML the admin
 * adds later (the scheduled-publishing dialog). Pickers inside StreamField
 * blocks are started by Wagtail's own telepath code and never reach here.
 */
(function () {
    "use strict";

    var INIT = { date: "initDateChooser", time: "initTimeChooser", datetime: "initDateTimeChooser" };

    function start(el) {
        if (el.hasAttribute("data-op-started")) return;
        var init = window[INIT[el.getAttribute("data-op-chooser")]];
        if (typeof init !== "function") return;
        el.setAttribute("data-op-started", "");
        init(el.getAttribute("data-op-for"), JSON.parse(el.getAttribute("data-op-config") || "{}"));
    }

    function scan(root) {
        if (root.nodeType !== Node.ELEMENT_NODE && root.nodeType !== Node.DOCUMENT_NODE) return;
        if (root.matches && root.matches("[data-op-chooser]")) start(root);
        root.querySelectorAll("[data-op-chooser]").forEach(start);
    }

    function ready() {
        scan(document);
        new MutationObserver(function (records) {
            records.forEach(function (record) { record.addedNodes.forEach(scan); });
        }).observe(document.body, { childList: true, subtree: true });
    }

    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
    else ready();
})();
