import Foundation

extension Flowers102 {
    /// Where the official files are published.
    public static let baseURL = URL(string: "https://www.robots.ox.ac.uk/~vgg/data/flowers/102/")!

    /// The official download, relative to ``baseURL``: the two label files (small, so a bad mirror fails
    /// fast) and the image archive (330 MB, extracted to `jpg/`), with the md5s torchvision checks and the
    /// sizes TFDS records.
    public static let files: [RemoteFile] = [
        RemoteFile(name: "imagelabels.mat", md5: "e0620be6f572b9609742df49c70aed4d", size: 502),
        RemoteFile(name: "setid.mat", md5: "a5357ecc9cb78c4bef273ce3793fc85c", size: 14_989),
        RemoteFile(name: "102flowers.tgz", md5: "52808999861908f626f3c1f4e79d11fa", size: 344_862_509, extractsTo: "jpg"),
    ]
}
