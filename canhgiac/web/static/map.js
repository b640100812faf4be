/* The console's map (cases:map). Leaflet and its marker clusters come from our own static
   files (static/vendor, fetched from the npm registry at build time), the tiles from the
   server the settings name, the points from cases:map_points with the page's own filters.
   Every text comes from data- attributes the server translated; whatever a case holds is
   put in the page as text, never as HTML. */
(function () {
  "use strict";

  var box = document.getElementById("map");
  var status = document.getElementById("map-status");
  if (!box || !status || !window.L || !window.fetch) return;
  var data = box.dataset;
  var words = status.dataset;
  var VIETNAM = [16.0, 106.0];

  function say(template, figures) {
    status.textContent = template.replace(/\{(\w+)\}/g, function (whole, key) {
      return key in figures ? String(figures[key]) : whole;
    });
  }

  // The attribution is the settings' plain text; OpenStreetMap's licence asks for a link.
  function attribution(text) {
    var holder = document.createElement("span");
    holder.textContent = text;
    return holder.innerHTML.replace(
      "OpenStreetMap",
      '<a href="https://www.openstreetmap.org/copyright" rel="noreferrer noopener" target="_blank">OpenStreetMap</a>'
    );
  }

  var map = L.map(box, { scrollWheelZoom: false }).setView(VIETNAM, 5);
  L.tileLayer(data.tiles, {
    maxZoom: 19,
    attribution: attribution(data.attribution || ""),
    // The console sends no Referer anywhere (same-origin policy); OpenStreetMap's tile
    // servers refuse requests without one, so the tiles name the site, never the page.
    referrerPolicy: "strict-origin"
  }).addTo(map);

  // Explicit icon addresses: Leaflet guesses them from its stylesheet, which fails once
  // the static files have hashed names in production.
  L.Icon.Default.imagePath = "";
  var icon = new L.Icon.Default({ iconUrl: data.icon, iconRetinaUrl: data.icon2x, shadowUrl: data.shadow });
  var urgentIcon = new L.Icon.Default({
    iconUrl: data.icon,
    iconRetinaUrl: data.icon2x,
    shadowUrl: data.shadow,
    className: "map-urgent"
  });
  var clusters = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
  map.addLayer(clusters);

  function popup(point) {
    var card = document.createElement("div");
    card.className = "map-popup";
    var link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.reference;
    link.className = "map-case";
    card.appendChild(link);
    var lines = [point.category_name, point.status_name, point.created_text];
    if (point.urgent) lines.unshift(data.urgent);
    lines.forEach(function (text) {
      if (!text) return;
      var line = document.createElement("div");
      line.textContent = text;
      card.appendChild(line);
    });
    var open = document.createElement("a");
    open.href = point.url;
    open.textContent = data.open;
    open.className = "button";
    card.appendChild(open);
    return card;
  }

  function show(body) {
    var markers = body.points.map(function (point) {
      var marker = L.marker([point.latitude, point.longitude], {
        icon: point.urgent ? urgentIcon : icon,
        title: point.reference,
        alt: point.reference
      });
      marker.bindPopup(popup(point));
      return marker;
    });
    clusters.addLayers(markers);
    if (markers.length) {
      map.fitBounds(clusters.getBounds(), { padding: [24, 24], maxZoom: 16 });
    }
    var figures = { located: markers.length, total: body.total };
    say(body.truncated ? words.truncated : markers.length ? words.count : words.empty, figures);
    box.setAttribute("data-loaded", String(markers.length));
  }

  say(words.loading, {});
  fetch(data.points, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then(show)
    .catch(function () {
      say(words.failed, {});
      box.setAttribute("data-loaded", "failed");
    });
})();
