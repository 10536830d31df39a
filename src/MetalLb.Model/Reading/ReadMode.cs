namespace BgpKit.MetalLb.Model;

/// <summary>Where manifests come from, which decides how strictly unknown fields are judged.</summary>
public enum ReadMode
{
    /// <summary>
    /// Files a person wrote: every field BgpKit does not read is an error with the closest known name,
    /// so a typo (<c>localpref</c>) never silently changes what is announced.
    /// </summary>
    Manifest,

    /// <summary>
    /// Objects returned by a Kubernetes API server with MetalLB's CRDs installed: the server fills in
    /// schema defaults and prunes fields its schema does not know, so what arrives is upstream's. A field
    /// of upstream's CRD that BgpKit does not implement is accepted silently at its default and warned about
    /// (naming it) when it holds another value; a field unknown to BgpKit's table is a warning, not an error.
    /// </summary>
    ApiServer,

    /// <summary>
    /// An object on its way into the API server, as a validating admission webhook sees it: the
    /// server has already filled in the CRDs' defaults, so upstream's fields are read as in
    /// <see cref="ApiServer"/> (an unimplemented one at a non-default value is a warning the client is
    /// shown), but a field that upstream's CRD does not have is an error, as in a manifest file.
    /// </summary>
    Admission,
}
