// The capability form of the admin: "outro tipo" only matters when the kind is "outro".
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var tipo = document.getElementById("id_tipo"), linha = document.querySelector(".field-tipo_outro");
    if (!tipo || !linha) return;
    // Through the CSSOM, which the Content-Security-Policy allows (a style= attribute it would not).
    function mostrar() { linha.style.display = tipo.value === "outro" ? "" : "none"; }
    tipo.addEventListener("change", mostrar);
    mostrar();
  });
})();
