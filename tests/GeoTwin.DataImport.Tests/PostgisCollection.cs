namespace GeoTwin.DataImport.Tests;

[CollectionDefinition("postgis")]
public sealed class PostgisCollection : ICollectionFixture<GeoTwin.Testing.PostgisFixture>;
